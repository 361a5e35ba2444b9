'use strict';
// Connections: list, create, edit, delete. The server checks a form by building the connection; a bad
// field comes back as {field, problem} and is shown under that field.
(() => {
  let editing = null;   // name of the connection being edited, or null for a new one
  const form = () => document.getElementById('form');

  function say(kind, words) {
    const banner = document.getElementById('result');
    banner.className = 'banner ' + kind;
    banner.textContent = words;
  }

  async function refresh() {
    const { ok, data } = await Console.api('GET', '/api/connections');
    if (!ok) return;
    document.querySelector('#connections tbody').innerHTML = data.map(c => `<tr data-connection="${Console.text(c.name)}">`
      + `<td>${Console.text(c.name)}</td><td class="mono">${Console.text(c['remote-address'])}:${c['remote-port']}</td>`
      + `<td>${Console.text(c['local-id'] || '')} &rarr; ${Console.text(c['remote-id'])}</td><td>${c.auth}</td>`
      + `<td class="mono">${Console.text((c['local-ts'] || []).join(', '))}</td><td class="mono">${Console.text((c['remote-ts'] || []).join(', '))}</td>`
      + `<td>${c['per-cpu-sas'] ? 'yes' : 'no'}${c.multiport ? ', multiport' : ''}</td><td>${c['start-action']}</td>`
      + `<td class="actions"><button data-edit="${Console.text(c.name)}">edit</button>`
      + `<button class="danger" data-delete="${Console.text(c.name)}">delete</button></td></tr>`).join('')
      || '<tr><td colspan="9" class="muted">No connections yet.</td></tr>';
  }

  function clearErrors() {
    form().querySelectorAll('.invalid').forEach(e => e.classList.remove('invalid'));
    form().querySelectorAll('.field-error').forEach(e => { e.textContent = ''; });
  }

  function open(connection) {
    editing = connection ? connection.name : null;
    clearErrors();
    form().reset();
    document.getElementById('editor-title').textContent = connection ? 'Edit ' + connection.name : 'New connection';
    document.getElementById('psk-hint').textContent = connection && connection['psk-set'] ? '(set; leave empty to keep)' : '';
    if (connection) {
      for (const element of form().elements) {
        if (!element.name || element.name === 'psk') continue;
        const value = connection[element.name];
        if (element.type === 'checkbox') element.checked = !!value;
        else if (Array.isArray(value)) element.value = value.join(', ');
        else if (value != null) element.value = String(value);
      }
    }
    document.getElementById('editor').classList.remove('hidden');
  }

  function formValues() {
    const values = {};
    for (const element of form().elements) {
      if (!element.name) continue;
      if (element.type === 'checkbox') values[element.name] = element.checked;
      else if (element.hasAttribute('data-list')) values[element.name] = element.value.split(',').map(s => s.trim()).filter(s => s);
      else values[element.name] = element.value;
    }
    return values;
  }

  async function save(event) {
    event.preventDefault();
    clearErrors();
    const path = editing ? '/api/connections/' + encodeURIComponent(editing) : '/api/connections';
    const { ok, data } = await Console.api(editing ? 'PUT' : 'POST', path, formValues());
    if (ok) {
      say(data.applied ? 'ok' : 'warn', `Saved connection ${data.name}` + (data.applied ? '; the gateway runs it.' : `: ${data.note}.`));
      document.getElementById('editor').classList.add('hidden');
      refresh();
      return;
    }
    if (data && data.field) {
      const input = form().elements[data.field];
      if (input) input.classList.add('invalid');
      const slot = document.getElementById('error-' + data.field);
      if (slot) slot.textContent = data.problem;
      say('error', `Not saved: ${data.field} ${data.problem}`);
    } else {
      say('error', 'Not saved: ' + ((data && data.error) || 'the server refused'));
    }
  }

  async function remove(name) {
    if (!window.confirm(`Delete connection ${name}?`)) return;
    const { ok, data } = await Console.api('DELETE', '/api/connections/' + encodeURIComponent(name));
    if (ok) say(data.applied ? 'ok' : 'warn', `Deleted ${name}` + (data.applied ? '; the gateway no longer runs it.' : `: ${data.note}.`));
    else say('error', (data && data.error) || 'failed');
    refresh();
  }

  document.addEventListener('DOMContentLoaded', () => {
    Console.nav('/connections');
    document.getElementById('new').addEventListener('click', () => open(null));
    document.getElementById('cancel').addEventListener('click', () => document.getElementById('editor').classList.add('hidden'));
    form().addEventListener('submit', save);
    document.getElementById('connections').addEventListener('click', async e => {
      if (e.target.dataset.edit) {
        const { ok, data } = await Console.api('GET', '/api/connections/' + encodeURIComponent(e.target.dataset.edit));
        if (ok) open(data);
      } else if (e.target.dataset.delete) {
        remove(e.target.dataset.delete);
      }
    });
    refresh();
  });
})();
