// The page: controls -> settings -> the server trains -> the pictures are redrawn.
import { ApiError, request } from "./api.js";
import { setupBackprop } from "./backprop.js";
import { LANE_COLORS, boundaryImage, drawBoundary, drawLoss, drawNetwork } from "./draw.js";

const GRID = 60, ITERATIONS = 10;
const FIELDS = ["dataset", "noise", "points", "train_ratio", "seed", "optimizer", "lr",
  "batch_size", "l2", "activation", "output"];
const $ = (id) => document.getElementById(id);

let options, config, session = null, state = null, histories = [], selected = 0;
let playing = false, generation = 0, busy = false;

function showMessage(text, kind = "error") {
  const box = $("message");
  box.hidden = !text;
  box.textContent = text || "";
  box.className = kind;
}

// a typed number as a number; anything else as typed, for the server to refuse with a reason
function parse(text) {
  const trimmed = String(text).trim();
  return trimmed !== "" && Number.isFinite(Number(trimmed)) ? Number(trimmed) : trimmed;
}

function fill(select, items) {
  for (const [value, title] of Object.entries(items)) select.add(new Option(title, value));
}

function showConfig() {
  for (const key of FIELDS) $(key).value = config[key];
  $("noise-value").textContent = config.noise;
  $("train_ratio-value").textContent = `${Math.round(config.train_ratio * 100)}%`;
  // in lanes that set their own widths, the controls would not say what is trained
  const fixed = config.lanes.some((lane) => lane.hidden);
  for (const id of ["add-layer", "remove-layer", "widths"]) $(id).hidden = fixed;
  const widths = $("widths");
  widths.replaceChildren(...config.hidden.map((width, i) => {
    const group = document.createElement("span");
    group.className = "width";
    group.innerHTML = `<button data-layer="${i}" data-change="-1">&minus;</button>` +
      `<b>${width}</b><button data-layer="${i}" data-change="1">+</button>`;
    return group;
  }));
  // a truth table is what it is; so are the 150 flowers, which are still split
  const table = ["and", "or", "xor_gate"].includes(config.dataset);
  for (const key of ["noise", "points"]) $(key).disabled = table || config.dataset === "iris";
  $("train_ratio").disabled = table;
}

function readControls() {
  const before = config.dataset;
  for (const key of FIELDS) {
    const el = $(key);
    config[key] = el.tagName === "SELECT" ? el.value : parse(el.value);
  }
  // three classes need one softmax unit each: choosing Iris chooses that output
  if (config.dataset === "iris" && before !== "iris") config.output = "softmax";
}

// the server forgot this tab's session (idle for too long): the caller starts a new one
const expired = (err) => err instanceof ApiError && err.status === 404;

async function configure() {
  let answer;
  try {
    answer = session
      ? await request("POST", `/api/sessions/${session}/config`, config)
      : await request("POST", "/api/sessions", config);
  } catch (err) {
    if (!session || !expired(err)) throw err;
    answer = await request("POST", "/api/sessions", config);
  }
  if (answer.session) session = answer.session;
  generation += 1;
  config = answer.config;
  state = answer;
  histories = answer.lanes.map(() => ({ train: [], test: [] }));
  selected = Math.min(selected, answer.lanes.length - 1);
  record(answer);
  showConfig();
  draw();
  return answer;
}

// settings changed by the user (in the controls, or else in config): send them, show the
// server's verdict
async function changed(fromControls = true) {
  if (fromControls) readControls();
  try {
    await configure();
    showMessage(null);
  } catch (err) {
    pause();
    showMessage(err.message);
  }
}

function record(answer) {
  answer.lanes.forEach((lane, i) => {
    if (lane.train_loss !== null) histories[i].train.push([lane.iteration, lane.train_loss]);
    if (lane.test_loss !== null) histories[i].test.push([lane.iteration, lane.test_loss]);
  });
}

async function step() {
  const asked = generation;
  busy = true;
  let answer;
  try {
    answer = await request("POST", `/api/sessions/${session}/step`,
      { iterations: ITERATIONS, grid: GRID });
  } catch (err) {
    if (!expired(err)) throw err;
    session = null;
    await configure();  // the same settings, from the start, in a new session
    return;
  } finally {
    busy = false;
  }
  // the settings changed meanwhile: this answer is of the old ones
  if (asked !== generation) return;
  answer.data = state.data;
  state = answer;
  record(answer);
  draw();
  const diverged = answer.lanes.filter((lane) => lane.diverged);
  if (diverged.length) {
    showMessage(diverged.map((lane) => (answer.lanes.length > 1 ? `${lane.label}: ` : "") +
      lane.diverged).join("\n"), "warning");
    if (diverged.length === answer.lanes.length) pause();
  }
}

const fmt = (v, digits = 3) => (v === null ? "—" : v.toFixed(digits));

function draw() {
  const { data, lanes } = state;
  $("iteration").textContent = lanes[0].iteration;
  const images = lanes.map((lane) => boundaryImage(lane, state.grid, data.classes));
  const many = lanes.length > 1;
  const container = $("lanes");
  if (container.children.length !== lanes.length) {
    container.replaceChildren(...lanes.map((_, i) => {
      const figure = document.createElement("figure");
      figure.innerHTML = `<canvas width="${many ? 176 : 360}" height="${many ? 176 : 360}">` +
        "</canvas><figcaption></figcaption>";
      figure.addEventListener("click", () => { selected = i; draw(); });
      return figure;
    }));
  }
  container.className = many ? "many" : "";
  $("single").hidden = !many;
  lanes.forEach((lane, i) => {
    const figure = container.children[i];
    figure.classList.toggle("selected", many && i === selected);
    drawBoundary(figure.querySelector("canvas"), images[i], data);
    figure.querySelector("figcaption").textContent = many
      ? `${lane.label}: test accuracy ${fmt(lane.test_accuracy, 2)}`
      : `${data.title}: training points ringed white, test points dark`;
  });
  const lane = lanes[selected];
  const columns = drawNetwork($("network"), lane, data, state.grid, images[selected]);
  const layers = lane.sizes.length - 2;
  $("network-title").textContent = `${layers} hidden layer${layers === 1 ? "" : "s"}` +
    (many ? ` (${lane.label}; click a boundary to see another lane)` : "");
  // each hidden layer's width control above its column
  [...$("widths").children].forEach((group, i) => {
    group.style.left = `${100 * columns[i + 1]}%`;
  });
  $("numbers").innerHTML = "<tr><th></th><th>loss train</th><th>loss test</th>" +
    "<th>accuracy train</th><th>accuracy test</th></tr>" + lanes.map((lane, i) =>
    `<tr><td class="lane${i}">${many ? lane.label : "&#9632;"}</td>` +
    `<td id="train-loss-${i}">${fmt(lane.train_loss)}</td><td>${fmt(lane.test_loss)}</td>` +
    `<td>${fmt(lane.train_accuracy, 2)}</td><td>${fmt(lane.test_accuracy, 2)}</td></tr>`).join("");
  drawLoss($("loss"), lanes.map((lane, i) => ({ colour: LANE_COLORS[i], ...histories[i] })));
  $("loss-legend").textContent = "Loss: training (solid) and test (dashed)" +
    (many ? ", one colour per lane as in the table." : ".");
}

async function play() {
  playing = true;
  $("play").innerHTML = "&#10074;&#10074;";
  showMessage(null);
  while (playing) {
    try {
      await step();
    } catch (err) {
      pause();
      showMessage(err.message);
    }
  }
}

function pause() {
  playing = false;
  $("play").innerHTML = "&#9654;";
}

function loadPreset(name) {
  const preset = options.presets[name];
  pause();
  config = { ...options.defaults, ...structuredClone(preset.config) };
  $("preset-text").textContent = preset.text;
  changed(false);
}

async function start() {
  options = await request("GET", "/api/options");
  fill($("dataset"), options.datasets);
  for (const key of ["activation", "output", "optimizer"]) {
    fill($(key), Object.fromEntries(options[`${key}s`].map((name) => [name, name])));
  }
  for (const [name, preset] of Object.entries(options.presets)) {
    const button = document.createElement("button");
    Object.assign(button, { textContent: preset.title, id: `preset-${name}` });
    button.addEventListener("click", () => loadPreset(name));
    $("presets").appendChild(button);
  }
  config = structuredClone(options.defaults);
  for (const key of FIELDS) $(key).addEventListener("change", () => changed());
  $("noise").addEventListener("input", () => { $("noise-value").textContent = $("noise").value; });
  $("train_ratio").addEventListener("input", () => {
    $("train_ratio-value").textContent = `${Math.round($("train_ratio").value * 100)}%`;
  });
  $("widths").addEventListener("click", (event) => {
    const { layer, change } = event.target.dataset;
    if (layer === undefined) return;
    const width = config.hidden[layer] + Number(change);
    config.hidden[layer] = Math.min(options.limits.width, Math.max(1, width));
    changed();
  });
  $("add-layer").addEventListener("click", () => {
    if (config.hidden.length < options.limits.layers) config.hidden.push(4);
    changed();
  });
  $("remove-layer").addEventListener("click", () => { config.hidden.pop(); changed(); });
  $("single").addEventListener("click", () => { config.lanes = []; changed(); });
  $("play").addEventListener("click", () => (playing ? pause() : play()));
  $("step").addEventListener("click", async () => {
    pause();
    try { await step(); } catch (err) { showMessage(err.message); }
  });
  $("reset").addEventListener("click", () => { pause(); changed(); });
  for (const tab of document.querySelectorAll(".tab")) {
    tab.addEventListener("click", () => {
      for (const other of document.querySelectorAll(".tab")) other.classList.toggle("active", other === tab);
      for (const view of document.querySelectorAll(".view")) view.hidden = view.id !== tab.dataset.view;
    });
  }
  setupBackprop(options.neuron, (text) => {
    $("circuit-message").hidden = !text;
    $("circuit-message").textContent = text || "";
  });
  await configure();
  // for the browser tests: what the page shows, and whether it is still stepping
  window.playground = { state: () => state, config: () => config,
    playing: () => playing || busy };
}

start().catch((err) => showMessage(err.message));
