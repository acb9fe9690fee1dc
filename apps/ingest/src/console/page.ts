// The status page: a row for ingest (outbox) and the router (leader, lag), then
// one card per target (red when it is offline or no process serves it), its numbers, three charts over the last ten minutes (throughput,
// backlog, latency) and its dead letters. Plain HTML and script, refreshed
// every two seconds from /api/status; charts by Chart.js (served at /assets/).
export const STATUS_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Bucket Events — targets</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; background: #f6f7f9; color: #1d2430; }
  h1 { font-size: 1.3rem; margin: 0 0 .25rem; }
  #updated { color: #667; margin-bottom: 1rem; }
  #targets { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 1rem; }
  .target { background: #fff; border: 2px solid #2e9d5b; border-radius: 8px; padding: .75rem 1rem; }
  .target.state-offline, .target.state-no-process, .target.state-no-leader, .target.state-not-ready { border-color: #d22; background: #fdecec; }
  #pipeline { display: grid; grid-template-columns: repeat(auto-fill, minmax(360px, 1fr)); gap: 1rem; margin-bottom: 1rem; }
  .target h2 { font-size: 1rem; margin: 0 0 .5rem; display: flex; justify-content: space-between; gap: .5rem; word-break: break-all; }
  .state { font-size: .8rem; padding: .1rem .5rem; border-radius: 999px; color: #fff; background: #2e9d5b; white-space: nowrap; }
  .state-offline .state, .state-no-process .state, .state-no-leader .state, .state-not-ready .state { background: #d22; }
  dl { display: grid; grid-template-columns: repeat(3, auto 1fr); gap: .15rem .6rem; margin: 0 0 .5rem; }
  dt { color: #667; } dd { margin: 0; font-variant-numeric: tabular-nums; }
  .leader { color: #667; font-family: ui-monospace, monospace; font-size: .8rem; }
  .error { color: #a11; font-family: ui-monospace, monospace; font-size: .8rem; min-height: 1em; }
  .charts { display: grid; grid-template-columns: repeat(3, 1fr); gap: .5rem; }
  .charts div { height: 110px; position: relative; min-width: 0; }
  table { border-collapse: collapse; font-size: .8rem; width: 100%; }
  td, th { border-top: 1px solid #ddd; padding: .15rem .3rem; text-align: left; vertical-align: top; }
</style>
<script src="/assets/chart.umd.min.js"></script>
</head>
<body>
<h1>Bucket Events — targets</h1>
<div id="updated">loading…</div>
<div id="pipeline">
  <section class="target" id="stage-ingest"><h2><span>ingest (S3 API, outbox)</span><span class="state"></span></h2>
    <dl><dt>outbox</dt><dd class="rows"></dd><dt>oldest</dt><dd class="oldest"></dd><dt>relay</dt><dd class="detail"></dd></dl></section>
  <section class="target" id="stage-router"><h2><span>router</span><span class="state"></span></h2>
    <dl><dt>processes</dt><dd class="processes"></dd><dt>lag</dt><dd class="lag"></dd><dt>routed</dt><dd class="routed"></dd></dl>
    <div class="leader"></div></section>
</div>
<div id="targets"></div>
<script>
const charts = new Map();
const cards = new Map();
const fmt = (n) => Number.isInteger(n) ? String(n) : n.toFixed(1);
const ago = (s) => s < 1 ? '0s' : s < 120 ? Math.round(s) + 's' : Math.round(s / 60) + 'm';
function card(target) {
  let el = cards.get(target.arn);
  if (el) return el;
  el = document.createElement('section');
  el.className = 'target';
  el.dataset.arn = target.arn;
  el.innerHTML = '<h2><span class="arn"></span><span class="state"></span></h2>' +
    '<dl><dt>backlog</dt><dd class="backlog"></dd><dt>oldest</dt><dd class="oldest"></dd><dt>processes</dt><dd class="processes"></dd>' +
    '<dt>delivered</dt><dd class="delivered"></dd><dt>failed</dt><dd class="failed"></dd><dt>dead letters</dt><dd class="dead"></dd></dl>' +
    '<div class="error"></div>' +
    '<details class="partitions"><summary>processes and partitions</summary><table><thead><tr><th>process</th><th>state</th><th>held</th><th>partitions (backlog)</th></tr></thead><tbody></tbody></table></details>' +
    '<div class="charts"><div><canvas class="throughput"></canvas></div><div><canvas class="backlogChart"></canvas></div><div><canvas class="latency"></canvas></div></div>' +
    '<details class="dlq"><summary>dead letters</summary><table><thead><tr><th>when</th><th>attempts</th><th>error</th></tr></thead><tbody></tbody></table></details>';
  el.querySelector('.arn').textContent = target.arn;
  document.getElementById('targets').append(el);
  cards.set(target.arn, el);
  if (window.Chart) {
    const make = (canvas, label, color) => new Chart(canvas, {
      type: 'line',
      data: { labels: [], datasets: [{ label, data: [], borderColor: color, pointRadius: 0, tension: 0.2 }] },
      options: { animation: false, maintainAspectRatio: false, scales: { x: { display: false }, y: { beginAtZero: true } } },
    });
    charts.set(target.arn, [
      make(el.querySelector('.throughput'), 'events/s', '#2b6cb0'),
      make(el.querySelector('.backlogChart'), 'backlog', '#c05621'),
      make(el.querySelector('.latency'), 'latency ms', '#6b46c1'),
    ]);
  }
  return el;
}
/** One row per process of the target: the partitions it owns, each with its backlog; then the unowned ones. */
function renderPartitions(body, target) {
  const backlog = new Map((target.partitions || []).map((p) => [p.queue, p.backlog]));
  const name = (queue) => queue.slice(queue.lastIndexOf('.') + 1) + ' (' + (backlog.get(queue) || 0) + ')';
  const rows = (target.instances || []).map((instance) => [instance.instance, instance.online ? 'online' : 'offline', String(instance.held), instance.partitions.map(name).join(' ')]);
  const unowned = (target.partitions || []).filter((p) => !p.owner).map((p) => name(p.queue));
  if (unowned.length > 0) rows.push(['no owner', '', '', unowned.join(' ')]);
  body.replaceChildren(...rows.map((cells) => {
    const tr = document.createElement('tr');
    for (const text of cells) {
      const td = document.createElement('td');
      td.textContent = text;
      tr.append(td);
    }
    return tr;
  }));
}
async function refresh() {
  try {
    const response = await fetch('/api/status');
    const status = await response.json();
    const ingest = document.getElementById('stage-ingest');
    const ingestState = status.pipeline.ingest.ready ? 'ready' : 'not-ready';
    ingest.className = 'target state-' + ingestState;
    ingest.querySelector('.state').textContent = ingestState;
    ingest.querySelector('.rows').textContent = status.pipeline.ingest.outboxRows;
    ingest.querySelector('.oldest').textContent = ago(status.pipeline.ingest.oldestOutboxSeconds);
    ingest.querySelector('.detail').textContent = status.pipeline.ingest.detail;
    const router = document.getElementById('stage-router');
    router.className = 'target state-' + status.pipeline.router.state;
    router.querySelector('.state').textContent = status.pipeline.router.state;
    router.querySelector('.processes').textContent = status.pipeline.router.processes;
    router.querySelector('.lag').textContent = fmt(status.pipeline.router.lagSeconds * 1000) + ' ms';
    router.querySelector('.routed').textContent = status.pipeline.router.routed;
    router.querySelector('.leader').textContent = status.pipeline.router.leader ? 'leader ' + status.pipeline.router.leader : '';
    for (const target of status.targets) {
      const el = card(target);
      el.className = 'target state-' + target.state;
      el.querySelector('.state').textContent = target.state;
      el.querySelector('.backlog').textContent = target.backlog;
      el.querySelector('.oldest').textContent = ago(target.oldestPendingSeconds);
      el.querySelector('.processes').textContent = target.processes;
      el.querySelector('.delivered').textContent = target.delivered;
      el.querySelector('.failed').textContent = target.failed;
      el.querySelector('.dead').textContent = target.deadLettered;
      el.querySelector('.error').textContent = target.lastError ? target.lastErrorAt + '  ' + target.lastError : '';
      renderPartitions(el.querySelector('.partitions tbody'), target);
      const rows = (status.deadLetters[target.arn] || []).map((letter) =>
        '<tr><td>' + letter.failedAt + '</td><td>' + letter.attempts + '</td><td></td></tr>');
      const body = el.querySelector('.dlq tbody');
      body.innerHTML = rows.join('');
      (status.deadLetters[target.arn] || []).forEach((letter, i) => { body.rows[i].cells[2].textContent = letter.error; });
      const history = status.history[target.arn] || [];
      const labels = history.map((s) => new Date(s.at).toLocaleTimeString());
      const series = [history.map((s) => s.throughput), history.map((s) => s.backlog), history.map((s) => s.latencyMeanMs)];
      (charts.get(target.arn) || []).forEach((chart, i) => {
        chart.data.labels = labels;
        chart.data.datasets[0].data = series[i];
        chart.update();
      });
    }
    document.getElementById('updated').textContent = 'updated ' + new Date().toLocaleTimeString() + ' · ' + status.targets.length + ' targets';
  } catch (error) {
    document.getElementById('updated').textContent = 'cannot reach the server: ' + error;
  }
}
refresh();
setInterval(refresh, 2000);
</script>
</body>
</html>
`;
