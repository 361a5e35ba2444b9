'use strict';
// Recent IKE events and the appliance's own, newest first, refreshed every two seconds.
(() => {
  function latency(iso) {
    const match = /PT([0-9.]+)S/.exec(iso || '');
    return match && Number(match[1]) > 0 ? (Number(match[1]) * 1000).toFixed(1) + ' ms' : '';
  }

  async function refresh() {
    const { ok, data } = await Console.api('GET', '/api/events?limit=200');
    if (!ok) return;
    document.querySelector('#events tbody').innerHTML = data.map(e => `<tr><td>${new Date(e.time).toLocaleString()}</td>`
      + `<td>${Console.text(e.gateway)}</td><td>${Console.text(e.connection)}</td><td>${e.kind.toLowerCase()}</td>`
      + `<td>${Console.text(e.exchange)}</td><td>${e.success ? 'ok' : '<span class="badge down">failed</span>'}</td>`
      + `<td>${latency(e.latency)}</td><td>${Console.text(e.message)}</td></tr>`).join('')
      || '<tr><td colspan="8" class="muted">Nothing yet.</td></tr>';
  }

  document.addEventListener('DOMContentLoaded', () => {
    Console.nav('/logs');
    refresh();
    setInterval(refresh, 2000);
  });
})();
