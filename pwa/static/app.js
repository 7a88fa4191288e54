// Minimal shell: search the public catalogue. Screens grow with each API (see pwa/README).
const results = document.getElementById("results");

function render(page) {
  if (!page.items.length) { results.innerHTML = "<p>没有找到相关事项，换个说法试试。</p>"; return; }
  const list = document.createElement("ul");
  for (const m of page.items) {
    const item = document.createElement("li");
    item.textContent = m.name;
    const meta = document.createElement("small");
    meta.textContent = `${m.department} · ${m.region_name}${m.instant ? " · 秒批" : ""}`;
    item.append(meta);
    list.append(item);
  }
  results.replaceChildren(list);
}

async function search(q) {
  const params = new URLSearchParams(q ? { q } : { hot: "true" });
  try {
    const response = await fetch(`/api/matters?${params}`, { headers: { Accept: "application/json" } });
    const body = await response.json();
    if (!response.ok) { results.textContent = body.message_zh || "查询失败，请稍后再试。"; return; }
    render(body);
  } catch {
    results.textContent = "网络不通，请检查网络后再试。";
  }
}

document.getElementById("search").addEventListener("submit", (event) => {
  event.preventDefault();
  search(document.getElementById("q").value.trim());
});
search("");
