'use strict';
// Fills in the CSRF token (from the cookie the server set with this page) and explains a failed login.
document.addEventListener('DOMContentLoaded', () => {
  const match = document.cookie.match(/(?:^|; )XSRF-TOKEN=([^;]*)/);
  document.getElementById('csrf').value = match ? decodeURIComponent(match[1]) : '';
  const params = new URLSearchParams(window.location.search);
  const message = document.getElementById('message');
  const say = (kind, words) => { message.textContent = words; message.className = 'banner ' + kind; };
  if (params.has('error')) say('error', 'Wrong user or password.');
  if (params.has('locked')) say('error', 'Too many failed logins: this user is locked out for a while.');
  if (params.has('logout')) say('ok', 'Logged out.');
});
