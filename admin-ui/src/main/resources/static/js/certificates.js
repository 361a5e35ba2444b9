'use strict';
// Certificates: list, generate a CA, issue from it, import PEM. Private keys never leave the server.
(() => {
  function say(ok, words) {
    const banner = document.getElementById('result');
    banner.className = 'banner ' + (ok ? 'ok' : 'error');
    banner.textContent = words;
  }

  async function refresh() {
    const { ok, data } = await Console.api('GET', '/api/certificates');
    if (!ok) return;
    document.querySelector('#certificates tbody').innerHTML = data.map(c => `<tr data-certificate="${Console.text(c.name)}">`
      + `<td>${Console.text(c.name)}</td><td>${Console.text(c.subject)}</td><td>${Console.text(c.issuer)}</td>`
      + `<td>${new Date(c.notAfter).toLocaleDateString()}</td><td>${c.authority ? 'yes' : ''}</td><td>${c.hasPrivateKey ? 'yes' : ''}</td>`
      + `<td class="mono">${Console.text(c.sha256.slice(0, 23))}&hellip;</td>`
      + `<td><a href="/api/certificates/${encodeURIComponent(c.name)}">PEM</a></td></tr>`).join('')
      || '<tr><td colspan="8" class="muted">No certificates yet.</td></tr>';
    document.getElementById('issue-ca').innerHTML = data.filter(c => c.authority && c.hasPrivateKey)
      .map(c => `<option>${Console.text(c.name)}</option>`).join('');
  }

  function values(form) {
    const v = Object.fromEntries(new FormData(form).entries());
    if (v.validityDays !== undefined) v.validityDays = Number(v.validityDays);
    if (v.subjectAltNames !== undefined) v.subjectAltNames = v.subjectAltNames.split(',').map(s => s.trim()).filter(s => s);
    return v;
  }

  function submitTo(formId, path) {
    document.getElementById(formId).addEventListener('submit', async e => {
      e.preventDefault();
      const { ok, data } = await Console.api('POST', path, values(e.target));
      say(ok, ok ? `Stored ${data.name}: ${data.subject}` : (data.error || `${data.field}: ${data.problem}`));
      if (ok) { e.target.reset(); refresh(); }
    });
  }

  document.addEventListener('DOMContentLoaded', () => {
    Console.nav('/certificates');
    submitTo('ca-form', '/api/certificates/authorities');
    submitTo('issue-form', '/api/certificates/issued');
    submitTo('import-form', '/api/certificates');
    refresh();
  });
})();
