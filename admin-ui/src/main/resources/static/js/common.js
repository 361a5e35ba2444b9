// Shared by every console page: the navigation bar, API calls with the CSRF token, formatting.
'use strict';

const Console = (() => {
  function csrfToken() {
    const match = document.cookie.match(/(?:^|; )XSRF-TOKEN=([^;]*)/);
    return match ? decodeURIComponent(match[1]) : '';
  }

  async function api(method, path, body) {
    const options = { method, headers: { 'Accept': 'application/json' }, credentials: 'same-origin' };
    if (method !== 'GET') options.headers['X-XSRF-TOKEN'] = csrfToken();
    if (body !== undefined) {
      options.headers['Content-Type'] = 'application/json';
      options.body = JSON.stringify(body);
    }
    const response = await fetch(path, options);
    if (response.status === 401) {
      window.location.href = '/login';
      throw new Error('logged out');
    }
    const text = await response.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch (e) { data = { error: text }; }
    return { ok: response.ok, status: response.status, data };
  }

  function nav(active) {
    const header = document.createElement('header');
    header.innerHTML = '<span class="brand">IPsec gateway</span><nav>'
      + [['/', 'Dashboard'], ['/connections', 'Connections'], ['/certificates', 'Certificates'], ['/logs', 'Logs']]
        .map(([href, name]) => `<a href="${href}"${href === active ? ' class="active"' : ''}>${name}</a>`).join('')
      + '</nav><form method="post" action="/logout"><input type="hidden" name="_csrf">'
      + '<button type="submit" id="logout">Log out</button></form>';
    header.querySelector('input[name=_csrf]').value = csrfToken();
    document.body.prepend(header);
  }

  function text(value) {
    const span = document.createElement('span');
    span.textContent = value == null ? '' : String(value);
    return span.innerHTML;
  }

  function count(n) {
    if (n == null) return '';
    if (n >= 1e9) return (n / 1e9).toFixed(2) + ' G';
    if (n >= 1e6) return (n / 1e6).toFixed(2) + ' M';
    if (n >= 1e4) return (n / 1e3).toFixed(1) + ' k';
    return String(n);
  }

  function time(iso) {
    return iso ? new Date(iso).toLocaleTimeString() : '';
  }

  function hex(spi) {
    return '0x' + (spi >>> 0).toString(16).padStart(8, '0');
  }

  return { api, nav, text, count, time, hex, csrfToken };
})();
