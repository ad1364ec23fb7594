/**
 * The stylesheets and the one script of the public pages (functions/handlers/public): plain strings, inlined
 * into each page and allowed by its Content-Security-Policy (a nonce, or the stylesheet's hash).
 */

/** The stylesheet of every page (a page may append its own rules). */
export const BASE_CSS = `
:root{--ink:#1f2937;--muted:#6b7280;--line:#e5e7eb;--bg:#f6f7f9;--card:#fff;--brand:#1d4ed8;--ok:#047857;--warn:#b45309;--bad:#b91c1c}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--ink);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",Arial,sans-serif}
main{max-width:880px;margin:0 auto;padding:16px}
.card{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:20px;margin:0 0 16px}
h1{font-size:1.5rem;margin:0 0 4px}
h2{font-size:1.1rem;margin:0 0 12px}
.muted{color:var(--muted)}
.small{font-size:.875rem}
a{color:var(--brand)}
footer{text-align:center;color:var(--muted);font-size:.8rem;padding:8px 0 24px}
@media (max-width:640px){main{padding:8px}.card{padding:16px;border-radius:10px}}
@media print{body{background:#fff}.card{border:none}}
`;

/** The quote page's stylesheet: BASE_CSS, then its own rules. */
export const QUOTE_PAGE_CSS = `${BASE_CSS}
header.top{display:flex;flex-wrap:wrap;gap:12px;justify-content:space-between;align-items:flex-start}
.badge{display:inline-block;padding:2px 10px;border-radius:999px;font-size:.85rem;font-weight:600;border:1px solid currentColor}
.badge.sent{color:var(--brand)}.badge.accepted{color:var(--ok)}.badge.expired{color:var(--warn)}.badge.declined{color:var(--bad)}
.parties{display:grid;grid-template-columns:1fr 1fr;gap:16px}
.parties h2{font-size:.8rem;text-transform:uppercase;letter-spacing:.06em;color:var(--muted);margin-bottom:4px}
.parties p{margin:0}
dl.meta{display:grid;grid-template-columns:auto auto;gap:2px 12px;margin:0}
dl.meta dt{color:var(--muted)}dl.meta dd{margin:0;text-align:right;font-variant-numeric:tabular-nums}
table{width:100%;border-collapse:collapse}
th,td{padding:8px 6px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:.8rem;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);text-align:left}
td.num,th.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
.totals{margin-left:auto;max-width:340px}
.totals div{display:flex;justify-content:space-between;gap:16px;padding:4px 0;font-variant-numeric:tabular-nums}
.totals .grand{border-top:2px solid var(--ink);margin-top:4px;padding-top:8px;font-size:1.2rem;font-weight:700}
a.button,button{display:inline-block;font:inherit;font-weight:600;border-radius:8px;padding:12px 18px;border:1px solid var(--brand);cursor:pointer;text-decoration:none}
a.button{background:#fff;color:var(--brand)}
button.primary{background:var(--brand);color:#fff;width:100%;font-size:1.05rem}
button.link{background:none;border:none;color:var(--brand);padding:4px 0;font-weight:500}
label{display:block;font-weight:600;margin:12px 0 4px}
input[type=text]{width:100%;font:inherit;padding:12px;border:1px solid #9ca3af;border-radius:8px}
input[type=text]:focus,canvas:focus{outline:3px solid var(--brand);outline-offset:1px}
.check{display:flex;gap:10px;align-items:flex-start;font-weight:400;margin:16px 0}
.check input{width:22px;height:22px;margin:2px 0 0;flex:none}
canvas{display:block;width:100%;height:auto;aspect-ratio:3/1;border:1px dashed #9ca3af;border-radius:8px;background:#fff;touch-action:none}
.row{display:flex;justify-content:space-between;align-items:center;gap:8px}
.notice{border-radius:12px;padding:16px 20px;margin:0 0 16px;border:1px solid}
.notice.ok{background:#ecfdf5;border-color:#a7f3d0;color:#065f46}
.notice.warn{background:#fffbeb;border-color:#fde68a;color:#92400e}
.notice.bad{background:#fef2f2;border-color:#fecaca;color:#991b1b}
.notice h2{margin:0 0 4px}.notice p{margin:0}
.errors{margin:0 0 8px;padding-left:20px;color:var(--bad)}
.field-error{color:var(--bad);font-size:.9rem;margin:4px 0 0}
@media (max-width:640px){
 .parties{grid-template-columns:1fr}
 table.lines thead{display:none}
 table.lines tr{display:block;border-bottom:1px solid var(--line);padding:8px 0}
 table.lines td{display:flex;justify-content:space-between;gap:12px;border:none;padding:2px 0;text-align:right}
 table.lines td::before{content:attr(data-label);color:var(--muted);text-align:left}
 table.lines td.desc{display:block;text-align:left;font-weight:600}
 table.lines td.desc::before{content:none}
 table.lines td.empty{display:none}
 .totals{max-width:none}
}
@media print{#accept,.pdf{display:none}}
`;

/** Draws on the canvas with mouse, pen or finger; the drawing goes into the hidden field as a PNG data URL. */
export const QUOTE_PAGE_SCRIPT = `
(function () {
  var form = document.getElementById('accept');
  var box = document.getElementById('sigbox');
  var pad = document.getElementById('pad');
  var field = document.getElementById('signature');
  if (!form || !box || !pad || !field || !pad.getContext) return;
  box.hidden = false;
  var ctx = pad.getContext('2d');
  var drawing = false, drawn = false, last = null;
  function pen() { ctx.lineWidth = 3; ctx.lineCap = 'round'; ctx.lineJoin = 'round'; ctx.strokeStyle = '#111827'; }
  pen();
  function at(e) {
    var r = pad.getBoundingClientRect();
    return { x: (e.clientX - r.left) * pad.width / r.width, y: (e.clientY - r.top) * pad.height / r.height };
  }
  function save() { field.value = drawn ? pad.toDataURL('image/png') : ''; }
  pad.addEventListener('pointerdown', function (e) {
    e.preventDefault();
    drawing = true; last = at(e);
    if (pad.setPointerCapture) pad.setPointerCapture(e.pointerId);
    ctx.beginPath(); ctx.arc(last.x, last.y, 1.5, 0, 2 * Math.PI); ctx.fillStyle = '#111827'; ctx.fill();
    drawn = true;
  });
  pad.addEventListener('pointermove', function (e) {
    if (!drawing) return;
    e.preventDefault();
    var p = at(e);
    ctx.beginPath(); ctx.moveTo(last.x, last.y); ctx.lineTo(p.x, p.y); ctx.stroke();
    last = p; drawn = true;
  });
  function end() { if (drawing) { drawing = false; save(); } }
  pad.addEventListener('pointerup', end);
  pad.addEventListener('pointercancel', end);
  document.getElementById('clear').addEventListener('click', function () {
    ctx.clearRect(0, 0, pad.width, pad.height); pen(); drawn = false; save();
  });
  form.addEventListener('submit', function () { save(); });
})();
`;
