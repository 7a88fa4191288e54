// The KPI dashboard: fetches /api/kpi with the clerk's session cookie and draws each KPI as a small
// SVG chart beside its target. No chart library: bars and a target line are all that is needed.
const SVG = "http://www.w3.org/2000/svg";

const $ = (id) => document.getElementById(id);

function svg(tag, attrs = {}, text = "") {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  if (text) node.textContent = text;
  return node;
}

function el(tag, className = "", text = "") {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text) node.textContent = text;
  return node;
}

function format(kpi, value) {
  if (value === null || value === undefined) return "—";
  if (kpi.unit === "ratio") return `${(value * 100).toFixed(1)}%`;
  if (kpi.unit === "working_days") return `${value} 个工作日`;
  return String(value);
}

// Horizontal bars, one per row, with the target drawn as a dashed line across them.
function bars(rows, { max, target, unit }) {
  const width = 320;
  const left = 96;
  const rowHeight = 22;
  const height = rows.length * rowHeight + 18;
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img" });
  const scale = (v) => left + ((width - left - 60) * Math.max(0, Math.min(v, max))) / (max || 1);
  rows.forEach((row, i) => {
    const y = i * rowHeight + 4;
    chart.append(svg("text", { x: 0, y: y + 13 }, row.label.slice(0, 8)));
    chart.append(svg("rect", { x: left, y, width: Math.max(scale(row.value) - left, 1), height: 15, fill: row.met === false ? "#e5534b" : "#2f81f7" }));
    chart.append(svg("text", { x: scale(row.value) + 4, y: y + 12 }, unit === "ratio" ? `${(row.value * 100).toFixed(1)}%` : String(row.value)));
  });
  if (target !== null && target !== undefined) {
    const x = scale(target);
    chart.append(svg("line", { x1: x, x2: x, y1: 0, y2: height - 14, stroke: "#1a7f37", "stroke-width": 2, "stroke-dasharray": "4 3" }));
    chart.append(svg("text", { x: Math.min(x, width - 60), y: height - 2 }, `目标 ${unit === "ratio" ? `${target * 100}%` : target}`));
  }
  return chart;
}

function card(kpi) {
  const box = el("article", "card");
  box.append(el("h3", "", kpi.name));
  const state = kpi.met === null ? "" : kpi.met ? "met" : "unmet";
  const perCity = kpi.id === "instant_per_city";
  const shown = perCity ? `${kpi.numerator} / ${kpi.denominator} 个设区市达标` : format(kpi, kpi.value);
  const value = el("div", `value ${state}`, shown);
  if (kpi.denominator !== null && kpi.unit === "ratio") value.title = `${kpi.numerator} / ${kpi.denominator}`;
  box.append(value);
  const target = perCity ? "目标：每个设区市 ≥ 30 项" : kpi.target === null ? "目标：措施未设数值" : `目标：${kpi.direction === "at_most" ? "≤ " : "≥ "}${format(kpi, kpi.target)}`;
  box.append(el("div", "", `${target}${kpi.met === null ? "" : kpi.met ? " · 已达标" : " · 未达标"}`));
  if (kpi.breakdown.length) {
    const max = Math.max(...kpi.breakdown.map((p) => p.value), perCity ? 30 : 1);
    box.append(bars(kpi.breakdown, { max, target: perCity ? 30 : null, unit: "count" }));
  } else if (kpi.value !== null) {
    const ratio = kpi.unit === "ratio";
    box.append(bars([{ label: "当前", value: kpi.value, met: kpi.met }], { max: ratio ? 1 : Math.max(kpi.value, kpi.target || 0) * 1.2, target: kpi.target, unit: kpi.unit }));
  }
  box.append(el("p", "basis", `措施${kpi.measure}：${kpi.basis}`));
  return box;
}

function query() {
  const form = new FormData($("filters"));
  const params = new URLSearchParams();
  for (const key of ["region", "since", "until"]) if (form.get(key)) params.set(key, form.get(key));
  return params.toString();
}

async function load() {
  const params = query();
  $("csv").href = `/api/kpi/csv?${params}`;
  const response = await fetch(`/api/kpi?${params}`, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (response.status === 401 || response.status === 403) {
    $("board").hidden = true;
    $("login").hidden = false;
    return;
  }
  const body = await response.json();
  if (!response.ok) {
    $("meta").textContent = body.message_zh || "加载失败";
    return;
  }
  $("login").hidden = true;
  $("board").hidden = false;
  $("meta").textContent = `范围 ${body.region} · ${body.since || "不限"} 至 ${body.until || "今天"} · 计算于 ${new Date(body.computed_at).toLocaleString("zh-CN")}`;
  $("cards").replaceChildren(...body.kpis.map(card));
}

$("filters").addEventListener("submit", (event) => {
  event.preventDefault();
  load();
});

$("login").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const response = await fetch("/api/auth/clerk-login", {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username: form.get("username"), password: form.get("password"), totp: form.get("totp") }),
  });
  if (!response.ok) {
    const body = await response.json();
    $("login-error").textContent = body.message_zh || "登录失败";
    return;
  }
  load();
});

load();
