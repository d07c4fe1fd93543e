// Drawing on canvases: maps over the plane, the points, the network, the loss curves.
import { decode } from "./api.js";

export const CLASS_COLORS = [[245, 147, 34], [8, 119, 189], [44, 160, 44]];
const WHITE = [240, 242, 243];
export const LANE_COLORS = ["#0877bd", "#f59322", "#2ca02c", "#9467bd"];

function mix(a, b, s) {
  return [0, 1, 2].map((i) => a[i] + (b[i] - a[i]) * s);
}

// value in [0, 1] -> orange (0), white (0.5), blue (1)
function diverging(v) {
  return v < 0.5 ? mix(CLASS_COLORS[0], WHITE, v * 2) : mix(WHITE, CLASS_COLORS[1], v * 2 - 1);
}
// the colours of the bytes 0..255: of the units, and lighter ones under the points
const UNIT_LUT = Array.from({ length: 256 }, (_, b) => diverging(b / 255));
const PLANE_LUT = UNIT_LUT.map((c) => mix(WHITE, c, 0.6));

// a size × size image whose pixel i has the colour colour(i)
function paint(size, colour) {
  const image = new ImageData(size, size);
  for (let i = 0; i < size * size; i++) {
    const [r, g, b] = colour(i);
    image.data[4 * i] = r;
    image.data[4 * i + 1] = g;
    image.data[4 * i + 2] = b;
    image.data[4 * i + 3] = 255;
  }
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = size;
  canvas.getContext("2d").putImageData(image, 0, 0);
  return canvas;
}

// the class probabilities as an image: P(class 1) for two classes, else a mix of colours
export function boundaryImage(lane, grid, classes) {
  const bytes = decode(lane.boundary);
  const n = grid * grid;
  if (classes === 2) return paint(grid, (i) => PLANE_LUT[bytes[i]]);
  return paint(grid, (i) => {
    let colour = [0, 0, 0];
    for (let k = 0; k < classes; k++) {
      colour = colour.map((c, j) => c + CLASS_COLORS[k][j] * bytes[k * n + i] / 255);
    }
    return mix(WHITE, colour, 0.6);
  });
}

// the output units' pictures: one sigmoid unit shows the boundary itself, one softmax unit
// per class the probability of its class (white 0, the class's colour 1)
function outputImages(lane, grid, classes, boundary) {
  const outputs = lane.sizes.at(-1);
  if (outputs === 1) return [boundary];
  const bytes = decode(lane.boundary);
  const n = grid * grid;
  const p = classes === 2 ? (k, i) => (k ? bytes[i] : 255 - bytes[i]) : (k, i) => bytes[k * n + i];
  return Array.from({ length: outputs },
    (_, k) => paint(grid, (i) => mix(WHITE, CLASS_COLORS[k], p(k, i) / 255)));
}

// the boundary, then the points: training ones with a white ring, test ones with a dark one
export function drawBoundary(canvas, image, data) {
  const ctx = canvas.getContext("2d");
  const [x0, x1, y0, y1] = data.extent;
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(image, 0, 0, canvas.width, canvas.height);
  const r = canvas.width > 200 ? 3.5 : 2.2;
  data.x.forEach(([x, y], i) => {
    const px = ((x - x0) / (x1 - x0)) * canvas.width;
    const py = ((y1 - y) / (y1 - y0)) * canvas.height;
    ctx.beginPath();
    ctx.arc(px, py, data.x.length <= 4 ? 3 * r : r, 0, 2 * Math.PI);
    ctx.fillStyle = `rgb(${CLASS_COLORS[data.t[i]].join(",")})`;
    ctx.fill();
    ctx.lineWidth = 1;
    ctx.strokeStyle = i < data.train_count ? "white" : "#222";
    ctx.stroke();
  });
}

// the network: units as small maps of their output over the plane, weights as lines;
// returns the centre of every layer's column, as a fraction of the canvas width
export function drawNetwork(canvas, lane, data, grid, boundary) {
  const ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const sizes = lane.sizes;
  const box = Math.min(40, (canvas.height - 20) / Math.max(...sizes) - 8);
  const column = (canvas.width - box - 60) / (sizes.length - 1);
  const place = (l, j) => [30 + l * column,
    canvas.height / 2 + (j - (sizes[l] - 1) / 2) * (box + 8) - box / 2];
  lane.weights.forEach((W, l) => W.forEach((row, i) => row.forEach((w, j) => {
    const [ax, ay] = place(l, i);
    const [bx, by] = place(l + 1, j);
    ctx.beginPath();
    ctx.moveTo(ax + box, ay + box / 2);
    ctx.lineTo(bx, by + box / 2);
    ctx.strokeStyle = w >= 0 ? "rgba(8,119,189,0.7)" : "rgba(245,147,34,0.7)";
    ctx.lineWidth = Math.min(6, 0.3 + Math.abs(w) * 1.2);
    ctx.stroke();
  })));
  const u = lane.unit_grid;
  const inputs = [0, 1].map((axis) => paint(u, (i) => {
    const v = axis === 0 ? (i % u) / (u - 1) : 1 - Math.floor(i / u) / (u - 1);
    return UNIT_LUT[Math.round(v * 255)];
  }));
  const maps = [inputs, ...lane.units.map((b64) => {
    const bytes = decode(b64);
    return Array.from({ length: bytes.length / (u * u) },
      (_, k) => paint(u, (i) => UNIT_LUT[bytes[k * u * u + i]]));
  }), outputImages(lane, grid, data.classes, boundary)];
  sizes.forEach((n, l) => {
    for (let j = 0; j < n; j++) {
      const [x, y] = place(l, j);
      ctx.drawImage(maps[l][j], x, y, box, box);
      ctx.strokeStyle = "#555";
      ctx.lineWidth = 1;
      ctx.strokeRect(x, y, box, box);
    }
  });
  ctx.fillStyle = "#333";
  ctx.font = "12px sans-serif";
  ctx.fillText("x1", 6, place(0, 0)[1] + box / 2 + 4);
  ctx.fillText("x2", 6, place(0, 1)[1] + box / 2 + 4);
  return sizes.map((_, l) => (place(l, 0)[0] + box / 2) / canvas.width);
}

// loss curves: [{label, colour, train: [[iteration, loss]], test: [...]}]
export function drawLoss(canvas, curves) {
  const ctx = canvas.getContext("2d");
  const w = canvas.width, h = canvas.height, left = 36, bottom = 18;
  ctx.clearRect(0, 0, w, h);
  const all = curves.flatMap((c) => [...c.train, ...c.test]);
  const top = Math.max(0.1, ...all.map((p) => p[1]));
  const last = Math.max(1, ...all.map((p) => p[0]));
  const X = (i) => left + (i / last) * (w - left - 6);
  const Y = (v) => 6 + (1 - v / top) * (h - bottom - 6);
  ctx.strokeStyle = "#bbb";
  ctx.fillStyle = "#555";
  ctx.font = "11px sans-serif";
  ctx.strokeRect(left, 6, w - left - 6, h - bottom - 6);
  ctx.fillText(top.toFixed(2), 2, 14);
  ctx.fillText("0", left - 10, h - bottom);
  ctx.fillText(`iteration ${last}`, w - 90, h - 4);
  for (const curve of curves) {
    for (const [points, dash] of [[curve.train, []], [curve.test, [4, 3]]]) {
      ctx.beginPath();
      points.forEach(([i, v], k) => (k ? ctx.lineTo(X(i), Y(v)) : ctx.moveTo(X(i), Y(v))));
      ctx.setLineDash(dash);
      ctx.strokeStyle = curve.colour;
      ctx.lineWidth = 1.6;
      ctx.stroke();
    }
  }
  ctx.setLineDash([]);
}
