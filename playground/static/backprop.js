// The backpropagation view: the sigmoid neuron as ch_backprop draws it, values and gradients
// from the server's gate layers.
import { request } from "./api.js";

const SCALE = 85, TOP = 4.6, LEFT = 0.9, R = 0.32;
const INPUTS = { w0: [0, 4], x0: [0, 3], w1: [0, 2], x1: [0, 1], w2: [0, 0] };
const GATES = {
  m0: [[1.5, 3.5], "×"], m1: [[1.5, 1.5], "×"], s1: [[3, 2.5], "+"], s2: [[4.5, 1.25], "+"],
  neg: [[6, 1.25], "×-1"], exp: [[7.5, 1.25], "exp"], p1: [[9, 1.25], "+1"],
  inv: [[10.5, 1.25], "1/x"],
};
// [from, to, the wire's key in the server's answer]
const LINKS = [
  ["w0", "m0", "w0"], ["x0", "m0", "x0"], ["w1", "m1", "w1"], ["x1", "m1", "x1"],
  ["m0", "s1", "w0x0"], ["m1", "s1", "w1x1"], ["s1", "s2", "sum"], ["w2", "s2", "w2"],
  ["s2", "neg", "+w2"], ["neg", "exp", "*-1"], ["exp", "p1", "exp"], ["p1", "inv", "+1"],
  ["inv", null, "1/x"],
];
const NS = "http://www.w3.org/2000/svg";

function svg(parent, tag, attributes, text) {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attributes)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  parent.appendChild(node);
  return node;
}

const px = ([x, y]) => [(x + LEFT) * SCALE, (TOP - y) * SCALE];

function draw(root, values, grads) {
  root.replaceChildren();
  const defs = svg(root, "defs", {});
  const marker = svg(defs, "marker", { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5,
    markerWidth: 7, markerHeight: 7, orient: "auto" });
  svg(marker, "path", { d: "M0,0 L10,5 L0,10 z", fill: "#555" });
  const where = (name) => (INPUTS[name] || GATES[name][0]);
  for (const [src, dst, key] of LINKS) {
    const a = px(where(src));
    const b = dst ? px(where(dst)) : [a[0] + 1.3 * SCALE, a[1]];
    const len = Math.hypot(b[0] - a[0], b[1] - a[1]);
    const [dx, dy] = [(b[0] - a[0]) / len, (b[1] - a[1]) / len];
    const start = src in GATES ? [a[0] + dx * R * SCALE, a[1] + dy * R * SCALE] : a;
    const end = dst ? [b[0] - dx * R * SCALE, b[1] - dy * R * SCALE] : b;
    svg(root, "line", { x1: start[0], y1: start[1], x2: end[0], y2: end[1],
      class: "wire", "marker-end": "url(#arrow)" });
    const mx = start[0] + 0.42 * (end[0] - start[0]), my = start[1] + 0.42 * (end[1] - start[1]);
    svg(root, "text", { x: mx, y: my - 6, class: "value", "data-wire": key },
      values[key].toFixed(2));
    svg(root, "text", { x: mx, y: my + 16, class: "grad", "data-wire": key },
      grads[key].toFixed(2));
    if (!dst) svg(root, "text", { x: b[0] + 8, y: b[1] + 5, class: "name out" }, "f");
  }
  for (const [name, pos] of Object.entries(INPUTS)) {
    const [x, y] = px(pos);
    svg(root, "text", { x: x - 8, y: y + 5, class: "name input" }, name);
  }
  for (const [[x, y], symbol] of Object.values(GATES).map(([p, s]) => [px(p), s])) {
    svg(root, "circle", { cx: x, cy: y, r: R * SCALE, class: "gate" });
    svg(root, "text", { x, y: y + 5, class: "symbol" }, symbol);
  }
}

export function setupBackprop(neuron, showError) {
  const form = document.getElementById("circuit-inputs");
  const root = document.getElementById("circuit");
  const summary = document.getElementById("circuit-summary");
  for (const [name, value] of Object.entries(neuron)) {
    const label = document.createElement("label");
    label.textContent = `${name} `;
    const input = document.createElement("input");
    Object.assign(input, { id: `neuron-${name}`, name, value, size: 6, inputMode: "decimal" });
    label.appendChild(input);
    form.appendChild(label);
  }
  async function update() {
    const body = {};
    for (const input of form.querySelectorAll("input")) {
      const text = input.value.trim();
      body[input.name] = text !== "" && Number.isFinite(Number(text)) ? Number(text) : text;
    }
    try {
      const { values, grads } = await request("POST", "/api/backprop", body);
      draw(root, values, grads);
      summary.textContent = `f = ${values["1/x"].toFixed(4)};  ∂f/∂w0 = ${grads.w0.toFixed(4)}, ` +
        `∂f/∂x0 = ${grads.x0.toFixed(4)}, ∂f/∂w1 = ${grads.w1.toFixed(4)}, ` +
        `∂f/∂x1 = ${grads.x1.toFixed(4)}, ∂f/∂w2 = ${grads.w2.toFixed(4)}`;
      showError(null);
    } catch (err) {
      showError(err.message);
    }
  }
  form.addEventListener("input", update);
  form.addEventListener("submit", (event) => event.preventDefault());
  update();
}
