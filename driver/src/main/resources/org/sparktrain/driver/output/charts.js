// Drawing helpers shared by sparktrain's pages (report.html, compare.html). Inlined into each
// page's script at render time, inside its function scope, so a page is still one file with no
// globals. Everything is built with DOM calls: values are set as text, never parsed as markup.
var SVG_NS = 'http://www.w3.org/2000/svg';
var COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2'];

function byId(id) { return document.getElementById(id); }
function isNum(v) { return typeof v === 'number' && isFinite(v); }
function isPlainObject(v) { return v !== null && typeof v === 'object' && !Array.isArray(v); }

function fmt(v) {
  if (v === null || v === undefined) { return '\u2013'; }
  if (typeof v !== 'number') { return String(v); }
  if (Number.isInteger(v) && Math.abs(v) < 1e15) { return v.toLocaleString('en-US'); }
  return String(Number(v.toPrecision(4)));
}

function el(tag, attrs, text) {
  var e = document.createElement(tag);
  Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
  if (text !== undefined) { e.textContent = text; }
  return e;
}

function svg(tag, attrs, text) {
  var e = document.createElementNS(SVG_NS, tag);
  Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, String(attrs[k])); });
  if (text !== undefined) { e.textContent = text; }
  return e;
}

function note(parent, text) { parent.appendChild(el('p', {'class': 'note'}, text)); }

// Rows of [name, value]; values are written as text, never as markup.
function fillTable(table, rows) {
  rows.forEach(function (r) {
    var tr = el('tr');
    tr.appendChild(el('th', {}, r[0]));
    tr.appendChild(el('td', typeof r[1] === 'number' ? {'class': 'num'} : {}, fmt(r[1])));
    table.appendChild(tr);
  });
}

// Round tick steps (1, 2, 5 x 10^k) that cover [lo, hi].
function ticks(lo, hi, count) {
  if (!(hi > lo)) {
    var pad = Math.abs(lo) * 0.1 || 1;
    lo -= pad;
    hi += pad;
  }
  var raw = (hi - lo) / count;
  var step = Math.pow(10, Math.floor(Math.log10(raw)));
  var ratio = raw / step;
  step *= ratio >= 7.5 ? 10 : ratio >= 3.5 ? 5 : ratio >= 1.5 ? 2 : 1;
  var first = Math.floor(lo / step), last = Math.ceil(hi / step), out = [];
  for (var k = first; k <= last; k++) {
    out.push(Number((k * step).toPrecision(12)));
  }
  return out;
}

// A line chart of one or more series {name, x, y}; null values break the line. Sets
// data-points on the figure to the number of points drawn, which the browser test reads.
function lineChart(parent, title, xLabel, lines, emptyText) {
  var fig = el('figure', {'class': 'chart', 'data-chart': title});
  fig.appendChild(el('h3', {}, title));
  parent.appendChild(fig);
  var xs = [], ys = [];
  lines.forEach(function (s) {
    for (var i = 0; i < s.x.length; i++) {
      if (isNum(s.x[i]) && isNum(s.y[i])) { xs.push(s.x[i]); ys.push(s.y[i]); }
    }
  });
  fig.setAttribute('data-points', String(xs.length));
  if (xs.length === 0) { note(fig, emptyText); return; }

  var W = 520, H = 240, L = 60, R = 16, T = 10, B = 40;
  var xt = ticks(Math.min.apply(null, xs), Math.max.apply(null, xs), 6);
  var yt = ticks(Math.min.apply(null, ys), Math.max.apply(null, ys), 5);
  var x0 = xt[0], x1 = xt[xt.length - 1], y0 = yt[0], y1 = yt[yt.length - 1];
  function sx(v) { return L + (v - x0) / (x1 - x0) * (W - L - R); }
  function sy(v) { return H - B - (v - y0) / (y1 - y0) * (H - T - B); }

  var chart = svg('svg', {viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-label': title});
  yt.forEach(function (t) {
    chart.appendChild(svg('line', {'class': 'grid', x1: L, x2: W - R, y1: sy(t), y2: sy(t)}));
    chart.appendChild(svg('text', {x: L - 6, y: sy(t) + 4, 'text-anchor': 'end'}, fmt(t)));
  });
  xt.forEach(function (t) {
    chart.appendChild(svg('line',
        {'class': 'axis', x1: sx(t), x2: sx(t), y1: H - B, y2: H - B + 4}));
    chart.appendChild(svg('text', {x: sx(t), y: H - B + 16, 'text-anchor': 'middle'}, fmt(t)));
  });
  chart.appendChild(svg('line', {'class': 'axis', x1: L, x2: W - R, y1: H - B, y2: H - B}));
  chart.appendChild(svg('line', {'class': 'axis', x1: L, x2: L, y1: T, y2: H - B}));
  chart.appendChild(svg('text', {x: (L + W - R) / 2, y: H - 6, 'text-anchor': 'middle'}, xLabel));

  lines.forEach(function (s, k) {
    var color = COLORS[k % COLORS.length];
    var run = [], drawn = 0;
    function flush() {
      if (run.length > 1) {
        chart.appendChild(svg('polyline',
            {'class': 'line', stroke: color, points: run.join(' ')}));
      } else if (run.length === 1) {
        var p = run[0].split(',');
        chart.appendChild(svg('circle', {cx: p[0], cy: p[1], r: 2.5, fill: color}));
      }
      run = [];
    }
    for (var i = 0; i < s.x.length; i++) {
      if (isNum(s.x[i]) && isNum(s.y[i])) {
        run.push(sx(s.x[i]).toFixed(1) + ',' + sy(s.y[i]).toFixed(1));
        drawn++;
      } else {
        flush();
      }
    }
    flush();
    s.drawn = drawn;
  });
  fig.appendChild(chart);
  if (lines.length > 1) {
    var legend = el('div', {'class': 'legend'});
    lines.forEach(function (s, k) {
      var item = el('span');
      item.appendChild(el('i', {style: 'background:' + COLORS[k % COLORS.length]}));
      item.appendChild(document.createTextNode(s.name));
      legend.appendChild(item);
    });
    fig.appendChild(legend);
  }
}
