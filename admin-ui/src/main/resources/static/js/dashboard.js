'use strict';
// The dashboard: tunnels with their Child SAs per lane, lane counters (polled), and the live per-lane
// load chart fed by server-sent events from /api/lanes/load.
(() => {
  const history = [];          // samples: {time, lanes: [{gateway, lane, inPps, outPps, ...}]}
  let windowMs = 5 * 60 * 1000;

  function stateBadge(state) {
    const s = String(state).toLowerCase();
    return `<span class="badge ${s}">${s}</span>`;
  }

  function childSaTable(sas) {
    if (!sas.length) return '<span class="muted">none</span>';
    const rows = sas.map(sa => `<tr><td>${sa.lane < 0 ? 'fallback' : sa.lane}</td>`
      + `<td class="mono">${Console.hex(sa.inboundSpi)}</td><td class="mono">${Console.hex(sa.outboundSpi)}</td>`
      + `<td class="num">${sa.sourcePort}</td><td class="num">${Console.count(sa.inPackets)}</td>`
      + `<td class="num">${Console.count(sa.inBytes)}</td><td class="num">${Console.count(sa.outPackets)}</td>`
      + `<td class="num">${Console.count(sa.outBytes)}</td></tr>`).join('');
    return '<table class="childsas"><thead><tr><th>Lane</th><th>SPI in</th><th>SPI out</th><th class="num">Src port</th>'
      + '<th class="num">Pkts in</th><th class="num">Bytes in</th><th class="num">Pkts out</th><th class="num">Bytes out</th>'
      + `</tr></thead><tbody>${rows}</tbody></table>`;
  }

  function actions(tunnel) {
    if (tunnel.keying !== 'IKE' || tunnel.gateway !== 'a') return '';
    const name = Console.text(tunnel.name);
    return ['initiate', 'terminate', 'rekey']
      .map(a => `<button data-action="${a}" data-name="${name}" id="${a}-${name}">${a}</button>`).join('');
  }

  async function refreshTunnels() {
    const { ok, data } = await Console.api('GET', '/api/tunnels');
    if (!ok) return;
    document.querySelector('#tunnels tbody').innerHTML = data.map(t => `<tr data-tunnel="${Console.text(t.name)}">`
      + `<td>${Console.text(t.gateway)}</td><td>${Console.text(t.name)}</td><td>${t.keying.toLowerCase()}</td>`
      + `<td class="mono">${Console.text(t.peer)}</td><td>${stateBadge(t.state)}</td>`
      + `<td class="mono">${Console.text(t.ikeSpis)}</td><td>${Console.time(t.established)}</td>`
      + `<td>${Console.time(t.lastRekey)}</td><td class="actions">${actions(t)}</td></tr>`
      + `<tr class="childsa-row" data-childsas="${Console.text(t.name)}"><td></td><td colspan="8">${childSaTable(t.childSas)}</td></tr>`).join('')
      || '<tr><td colspan="9" class="muted">No tunnels configured.</td></tr>';
  }

  async function refreshLanes() {
    const { ok, data } = await Console.api('GET', '/api/lanes');
    if (!ok) return;
    document.querySelector('#lanes tbody').innerHTML = data.map(l => `<tr><td>${Console.text(l.gateway)}</td>`
      + `<td>${l.lane}</td><td class="num">${Console.count(l.espInPackets)}</td><td class="num">${Console.count(l.espInBytes)}</td>`
      + `<td class="num">${Console.count(l.espOutPackets)}</td><td class="num">${Console.count(l.espOutBytes)}</td>`
      + `<td class="num">${l.keepalives}</td><td class="num">${l.ikeMessages}</td>`
      + `<td class="mono">${Object.entries(l.drops).map(([r, n]) => Console.text(r) + '=' + n).join(' ')}</td></tr>`).join('')
      || '<tr><td colspan="9" class="muted">No data path running.</td></tr>';
  }

  async function refreshStatus() {
    const { ok, data } = await Console.api('GET', '/api/status');
    if (!ok) return;
    const banner = document.getElementById('status');
    banner.className = 'banner ' + (data.running ? 'ok' : 'warn');
    banner.textContent = (data.running ? 'Data path running: ' : 'No data path: ') + data.detail
      + (data.running && !data.ike ? ' (no IKE control plane: the gateway started without IKE connections)' : '');
  }

  async function act(button) {
    const { ok, data } = await Console.api('POST', `/api/tunnels/${encodeURIComponent(button.dataset.name)}/${button.dataset.action}`);
    const banner = document.getElementById('action-result');
    banner.className = 'banner ' + (ok ? 'ok' : 'error');
    banner.textContent = ok ? `${button.dataset.action} ${button.dataset.name}: done` : (data && data.error) || 'failed';
    refreshTunnels();
  }

  function laneKey(l) { return l.gateway + '/' + l.lane; }

  function drawChart() {
    const canvas = document.getElementById('load');
    const ctx = canvas.getContext('2d');
    const w = canvas.width, h = canvas.height, left = 60, bottom = 22, top = 12;
    ctx.clearRect(0, 0, w, h);
    const keys = [...new Set(history.flatMap(s => s.lanes.map(laneKey)))].sort();
    const now = history.length ? history[history.length - 1].time : Date.now();
    const max = Math.max(1, ...history.flatMap(s => s.lanes.map(l => l.inPps + l.outPps)));
    ctx.strokeStyle = '#dde3e9'; ctx.fillStyle = '#65717e'; ctx.font = '11px sans-serif';
    for (let i = 0; i <= 4; i++) {
      const y = top + (h - bottom - top) * (1 - i / 4);
      ctx.beginPath(); ctx.moveTo(left, y); ctx.lineTo(w, y); ctx.stroke();
      ctx.fillText(Console.count(Math.round(max * i / 4)), 4, y + 4);
    }
    ctx.fillText('-' + Math.round(windowMs / 60000) + ' min', left, h - 6);
    ctx.fillText('now', w - 24, h - 6);
    const colours = ['#1f6feb', '#d4730b', '#1a7f37', '#8250df', '#cf222e', '#0b7d8a', '#9a6700', '#57606a'];
    keys.forEach((key, i) => {
      ctx.strokeStyle = colours[i % colours.length]; ctx.lineWidth = 2; ctx.beginPath();
      let started = false;
      history.forEach(s => {
        const lane = s.lanes.find(l => laneKey(l) === key);
        if (!lane) return;
        const x = left + (w - left) * (1 - (now - s.time) / windowMs);
        const y = top + (h - bottom - top) * (1 - (lane.inPps + lane.outPps) / max);
        if (started) ctx.lineTo(x, y); else { ctx.moveTo(x, y); started = true; }
      });
      ctx.stroke();
    });
    document.getElementById('legend').innerHTML = keys
      .map((k, i) => `<span data-lane="${Console.text(k)}"><i class="c${i % 8}"></i>gateway ${Console.text(k.replace('/', ', lane '))}</span>`).join('');
    canvas.dataset.samples = String(history.length);
    canvas.dataset.lanes = String(keys.length);
  }

  function listen() {
    const source = new EventSource('/api/lanes/load');
    source.addEventListener('load', event => {
      const sample = JSON.parse(event.data);
      history.push(sample);
      while (history.length && history[0].time < sample.time - windowMs) history.shift();
      drawChart();
    });
  }

  document.addEventListener('DOMContentLoaded', () => {
    Console.nav('/');
    document.getElementById('tunnels').addEventListener('click', e => {
      if (e.target.matches('button[data-action]')) act(e.target);
    });
    refreshStatus(); refreshTunnels(); refreshLanes(); drawChart(); listen();
    setInterval(() => { refreshStatus(); refreshTunnels(); refreshLanes(); }, 2000);
  });
})();
