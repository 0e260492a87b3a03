// ventd status page: renders the room's state (the /api/state JSON), live
// from /api/events, or by polling /api/state when the stream is down. No
// library, no build step; every text goes in with textContent.
'use strict';

// Older tablets: Safari before 14 has no replaceChildren, and before 15.4
// no <dialog>. Donated iPads often stop at iOS 12 or 13; there the page
// stopped after its first booth card and never updated again (its last
// banner standing as if current), and purge and acknowledge never opened.
if (!Element.prototype.replaceChildren) {
  Element.prototype.replaceChildren = function (...nodes) {
    this.textContent = '';
    this.append(...nodes);
  };
}

// dialogFallback opens and closes a <dialog> by its open attribute where
// the browser cannot (page.css places it).
function dialogFallback(d) {
  if (typeof d.showModal === 'function' && typeof d.close === 'function') return;
  d.classList.add('dlg-fallback');
  d.showModal = () => d.setAttribute('open', '');
  d.close = () => d.removeAttribute('open');
}

const $ = (id) => document.getElementById(id);
const LEVELS = { none: 0, warning: 1, alarm: 2, fault: 3 };
const NAMES = { pm1: 'PM1', pm25: 'PM2.5', pm4: 'PM4', pm10: 'PM10', co2: 'CO₂', voc_index: 'VOC index', nox_index: 'NOx index', pressure: 'Pressure' };

let info = null;        // GET /api/page
let state = null;       // the latest snapshot
let trend = { series: [] };
let lastTime = '';      // the daemon's time of the latest snapshot
let lastFresh = 0;      // performance.now() when a newer snapshot arrived
let viaStream = false;  // the latest came from the stream
let stream = null;
let pollTimer = null;
let stale = false;
let known = null;       // alarm id -> alarm, for announcements
let sound = null;       // the AudioContext, once made
let soundTried = false; // started by itself once, after info said sound: true
let lastBeep = 0;
// The elements drawn for the room, by what they show. Their ids are never
// looked up by a name from the config: a booth called "grid" had the id
// of the booths' grid itself ("booth-grid"), and the page stopped drawing.
const cards = new Map();    // booth zone -> its card
const rows = new Map();     // staff zone + '\n' + quantity -> its row
const outdoors = new Map(); // outdoor zone -> its item
const alarmItems = new Map(); // alarm id -> its list item

// nameId is an element id for what a name from the config labels (for
// aria-labelledby and tests): zone, sensor and fan names are letters,
// digits, '-', '_' and '.', so a ':' after the kind keeps them apart from
// each other and from the page's own ids, which have none.
function nameId(kind, ...names) {
  return kind + ':' + names.join(':');
}

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function fmt(v, q) {
  if (v === null || v === undefined || !isFinite(v)) return '—';
  if (q === 'pressure') return v.toFixed(1).replace('-', '−');
  if (q === 'co2' || q === 'voc_index' || q === 'nox_index' || Math.abs(v) >= 10) return Math.round(v).toLocaleString('en');
  return v.toFixed(1);
}

// num shows a threshold or limit as configured: 125.5 stays 125.5.
function num(v) {
  return Number.isInteger(v) ? v.toLocaleString('en') : String(v);
}

function dur(s) {
  s = Math.max(0, Math.round(s));
  if (s < 60) return s + ' s';
  if (s < 3600) return Math.floor(s / 60) + ' min';
  return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
}

function clockText(iso) {
  const d = new Date(iso);
  return isNaN(d) ? '' : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

// ---- data in ----

// Every address the page uses is relative to the page (api/state, not
// /api/state), so ventd also works behind a reverse proxy at a path of its
// own (https://host/ventd/).
async function getJSON(url, ms) {
  const ctl = new AbortController();
  const t = setTimeout(() => ctl.abort(), ms || 4000);
  try {
    const r = await fetch(url, { cache: 'no-store', signal: ctl.signal });
    if (!r.ok) throw new Error(url + ': HTTP ' + r.status);
    return await r.json();
  } finally {
    clearTimeout(t);
  }
}

async function loadInfo() {
  try {
    info = await getJSON('api/page');
    // The names yield to the banner's word and sentence: cut short on
    // the screen (page.css), whole in the title a long press shows.
    $('room').textContent = info.room;
    $('site').textContent = info.site;
    $('room').parentNode.title = info.room + ' · ' + info.site;
    document.body.classList.toggle('few-booths', (info.booths || []).length <= 3);
    document.title = 'Air status · ' + info.room;
    $('actions-off').hidden = info.actions;
    $('sound').hidden = !info.sound;
    // Sound on in the config: start it now, not at the first tap. A
    // tablet reloaded or rebooted overnight stayed silent until someone
    // pressed the button. A kiosk browser started with
    // --autoplay-policy=no-user-gesture-required lets it play at once;
    // any other leaves it suspended, and the button says so loudly.
    if (info.sound && !soundTried) {
      soundTried = true;
      startSound();
    }
    renderSound();
  } catch (e) { /* the daemon is away: the stale banner says so */ }
  if (state && info) render();
}

async function loadTrend() {
  try {
    trend = await getJSON('api/trend');
  } catch (e) { /* drawn without history until the next try */ }
  if (state && info) draw('staff');
}

function connect() {
  stream = new EventSource('api/events');
  stream.addEventListener('open', () => { loadInfo(); loadTrend(); });
  stream.addEventListener('state', (e) => receive(JSON.parse(e.data), true));
  stream.addEventListener('trend', (e) => { trend = JSON.parse(e.data); if (state && info) draw('staff'); });
  stream.addEventListener('info', () => loadInfo()); // the configuration was reloaded
  stream.addEventListener('error', () => {
    // A refused or broken stream (too many pages, a proxy) is not retried
    // by the browser: try again later, and poll meanwhile.
    if (stream.readyState === EventSource.CLOSED) {
      stream = null;
      setTimeout(connect, 5000);
    }
  });
}

function receive(s, live) {
  if (!s || !s.time) return;
  if (s.time !== lastTime) {
    lastTime = s.time;
    lastFresh = performance.now();
    // A newer snapshot ends a stale spell at once: the banner must not
    // say "not updated for 0 s: the values below are old" over the
    // values that just came, until the next tick.
    if (stale) {
      stale = false;
      say('notice', 'Updates are back.');
    }
  }
  viaStream = live;
  state = s;
  if (!info) return;
  render();
  renderLink((performance.now() - lastFresh) / 1000);
}

async function poll() {
  try {
    receive(await getJSON('api/state', 2500), false);
    if (!info) await loadInfo();
  } catch (e) { /* still away */ }
}

// tick runs each second: it notices a silent stream, polls instead, and
// says loudly when nothing new has come for info.stale_after_s.
function tick() {
  const age = lastFresh ? (performance.now() - lastFresh) / 1000 : Infinity;
  const limit = info ? info.stale_after_s : 5;
  if (age > 3 && !pollTimer) {
    pollTimer = setInterval(poll, 2000);
    poll();
  } else if (age <= 3 && viaStream && pollTimer) {
    clearInterval(pollTimer);
    pollTimer = null;
  }
  const nowStale = age > limit;
  if (nowStale !== stale) {
    stale = nowStale;
    if (!stale) say('notice', 'Updates are back.');
    else say('announce', 'No data: the status page is not being updated.');
    if (state && info) render();
  }
  if (state && info || stale) draw('banner');
  renderLink(age);
  if (soundOn() && state) beepIfDue();
}

// renderLink says how the page gets its data and when it last did.
function renderLink(age) {
  $('link').textContent = stale ? 'NOT UPDATING' : viaStream ? 'live' : pollTimer ? 'polling' : 'connecting';
  $('updated').textContent = state ? 'Updated ' + clockText(state.time) + (isFinite(age) && age >= 2 ? ' (' + dur(age) + ' ago)' : '') : 'Not updated yet';
}

// ---- what the state means ----

function readings(zone, q) {
  return (state.readings || []).filter((r) => r.zone === zone && r.quantity === q);
}

function fansOf(zone) {
  return (state.fans || []).filter((f) => (f.zones || []).includes(zone));
}

// subjectLevel is the highest level of the alarms about names whose
// condition holds now. An alarm held for coming and going, or latched for
// acknowledgement, stays in the list but no longer colours a card whose
// sensors read again: a card at FAULT beside "Safe to enter" for the hour a
// recovered sensor's alarm is held would send staff to a fault that is over.
function subjectLevel(names) {
  let lvl = 0;
  for (const a of activeAlarms()) {
    if (a.condition && names.includes(a.subject)) lvl = Math.max(lvl, LEVELS[a.level] || 0);
  }
  return lvl;
}

// subjectKind says what an alarm is about, for the words staff read.
function subjectKind(name) {
  if ((state.sensors || []).some((s) => s.name === name)) return 'sensor';
  if ((state.fans || []).some((f) => f.name === name)) return 'fan';
  if (name === 'journal') return 'journal';
  return 'air';
}

// bannerRank orders the alarms for the banner: those whose condition holds
// first, then by level, except that an alarm (the staff's air above its
// alarm level: act now) ranks above a fault. A fault can stand for days (a
// sensor waiting for its replacement, its fans at their safe duty); ranked
// first, it kept the banner on FAULT and left a new alarm to "(+1 more)"
// on a screen read from across the room. A fault of the records (the
// journal) ranks below any alarm about the air, since staff can act on
// the air and not on a disk. Ties keep the engine's order (oldest first).
function bannerRank(a) {
  let r = LEVELS[a.level] || 0;
  if (a.level === 'alarm') r = LEVELS.fault + 0.5;
  if (subjectKind(a.subject) === 'journal') r = 0.5;
  return (a.condition ? 10 : 0) + r;
}

function activeAlarms() {
  return (state.alarms && state.alarms.alarms) || [];
}

// stopped says the last state came from ventd stopping (a restart, an
// update): it reads the air no more, so nothing on the page is current.
function stopped() {
  return !!(state && state.health && state.health.stopping);
}

// away: nothing shown is current, for either reason.
function away() {
  return stale || stopped();
}

// banner returns [class, word, sentence] for the room as a whole.
function banner() {
  if (stopped()) return ['st-stale', 'ventd stopped', 'ventd was stopped (a restart or an update): the fans run at their safe duty and nothing reads the air. The values below are the last it read.'];
  if (stale || !state) {
    const age = lastFresh ? dur((performance.now() - lastFresh) / 1000) : '';
    if (!state) return ['st-stale', 'No data', 'ventd is not answering. Check that it runs and that this screen is on the site network.'];
    return ['st-stale', 'No data', 'Not updated for ' + age + ': the values below are old. Check ventd and the network.'];
  }
  const al = activeAlarms().slice().sort((a, b) => bannerRank(b) - bannerRank(a));
  const top = al.length ? al[0] : null;
  const more = al.length > 1 ? ' (+' + (al.length - 1) + ' more)' : '';
  if (top) {
    const text = top.message + (top.condition ? '' : top.held ? ' (came and went repeatedly; over for now)' : ' (over: acknowledge to clear)') + more;
    if (top.level === 'fault') {
      const word = { sensor: 'Sensor fault', fan: 'Fan fault', journal: 'Record fault' }[subjectKind(top.subject)] || 'Fault';
      return ['st-fault', word, text];
    }
    if (top.level === 'alarm') return ['st-alarm', 'Alarm', text];
    if (top.level === 'warning') return ['st-warning', 'Warning', text];
  }
  const purging = (state.fans || []).filter((f) => f.mode === 'purge');
  if (purging.length) return ['st-purge', 'Purging', purging.map((f) => f.zones.join(', ')).join(', ') + ': fan at maximum until safe to enter'];
  const safe = (state.fans || []).filter((f) => f.mode === 'safe');
  const blind = safe.filter((f) => !f.fan_fault);
  if (blind.length) return ['st-safe', 'Fans at full', 'ventd cannot read the air in ' + [...new Set(blind.flatMap((f) => f.zones || []))].join(', ') + ', so its fans run at their safe duty until it can'];
  // A fan that stalled, held at its safe duty after it turns again (its
  // fault alarm over): the air is read, a fan is not to be trusted yet.
  if (safe.length) return ['st-safe', 'Fans at full', safe[0].reason];
  // "Air OK" is a claim about the staff's air: not while a staff reading
  // is missing (the first seconds after a start, or a sensor not answering
  // before its fault alarm is due). A VOC index warming up (its first
  // minute) is a known state, named after the OK.
  const unknown = pollutants().filter((p) => p.value === null || p.value === undefined);
  const label = (p) => NAMES[p.q] + (info.staff.length > 1 ? ' in ' + p.zone : '');
  const missing = unknown.filter((p) => p.quality !== 'warmup');
  if (missing.length) {
    return ['st-wait', 'Waiting', 'No alarms, but no reading yet of ' + missing.map(label).join(', ') + ' (starting up, or a sensor not answering: that raises a fault).'];
  }
  const warming = unknown.length ? ' ' + unknown.map(label).join(', ') + ' warming up.' : '';
  return ['st-ok', 'Air OK', 'No alarms. Fans under automatic control.' + warming];
}

// booth returns what one booth's card shows.
function booth(b) {
  const pm = readings(b.zone, 'pm25');
  const dp = readings(b.zone, 'pressure');
  const fans = fansOf(b.zone);
  const lvl = subjectLevel([b.zone, ...b.sensors, ...b.fans]);
  // A reading above the sensor's range is heavy smoke, not a fault: the
  // booth holds at least that much.
  const good = pm.length > 0 && pm.every((r) => r.quality === 'good' || r.above_range);
  const over = pm.some((r) => r.above_range);
  const level = good ? Math.max(...pm.map((r) => r.value)) : null;
  const s2e = fans.length ? Math.max(...fans.map((f) => f.seconds_to_entry)) : -1;
  const mode = fans.some((f) => f.mode === 'purge') ? 'purge' : fans.some((f) => f.mode === 'safe') ? 'safe' : fans.some((f) => f.mode === 'boost') ? 'boost' : 'normal';
  let cls, chip, entry;
  if (!good) {
    cls = 'b-fault'; chip = 'Sensor fault';
    entry = 'Unknown: do not rely on the air';
  } else if (level < info.entry_pm25) {
    cls = 'b-ok'; chip = mode === 'purge' ? 'Purged' : 'Clear';
    entry = 'Safe to enter';
  } else if (s2e > 0) {
    cls = mode === 'purge' ? 'b-purge' : 'b-smoke'; chip = mode === 'purge' ? 'Purging' : 'Smoke';
    // "Not safe" first: "Safe in 2:30" began with the word a responder
    // at the door must not read first.
    entry = 'Not safe for ' + countdown(s2e);
  } else {
    cls = mode === 'purge' ? 'b-purge' : 'b-smoke'; chip = mode === 'purge' ? 'Purging' : 'Smoke';
    entry = 'Not safe to enter';
  }
  if (away()) return { cls: 'b-fault', chip: 'No data', entry: 'Unknown: no data', figs: [['Last PM2.5', good ? fmt(level, 'pm25') + ' µg/m³' : '—'], ['Fan', fans.map(fanDuty).join(', ') || 'no fan']] };
  const broken = fans.filter((f) => f.error);
  // A fan that does not turn, or that ventd cannot drive, leaves the booth
  // without its extraction: its air may read clean now, but a session
  // there would not clear, and the fault's own message says not to use
  // it. Read from across the room, the big words must say so, not "Safe
  // to enter" beside a small chip.
  const fanDown = broken.length > 0 || subjectLevel(b.fans) >= LEVELS.fault;
  if (fanDown && good) entry = 'Do not use: fan not working';
  if (lvl >= LEVELS.alarm || broken.length) {
    cls = lvl === LEVELS.alarm && !broken.length ? 'b-alarm' : 'b-fault';
    // Say what failed: a fan that does not turn leaves the booth without
    // extraction, a sensor leaves its air unknown.
    chip = lvl === LEVELS.alarm && !broken.length ? 'Alarm' : fanDown ? 'Fan fault' : subjectLevel(b.sensors) >= LEVELS.fault ? 'Sensor fault' : 'Fault';
  }
  if (mode === 'purge' && lvl < LEVELS.alarm && cls !== 'b-ok') { cls = 'b-purge'; chip = 'Purging'; }
  // A booth with two fans names them: "100% (safe) · 0 rpm" beside
  // "100% (safe) · 3000 rpm" did not say which had stalled.
  const named = (f) => (fans.length > 1 ? f.name + ' ' : '');
  const fanText = fans.map((f) => named(f) + fanDuty(f) + (f.rpm !== undefined && f.rpm !== null ? ' · ' + Math.round(f.rpm) + ' rpm' : '')).join(', ') || 'no fan';
  const figs = [['PM2.5', good ? (over ? '≥ ' : '') + fmt(level, 'pm25') + ' µg/m³' : pm.length ? pm[0].quality.replace('_', ' ') : 'no sensor'], ['Fan', fanText]];
  if (dp.length) {
    const r = dp[0];
    figs.push(['Pressure', r.quality === 'good' ? fmt(r.value, 'pressure') + ' Pa' : r.quality.replace('_', ' ')]);
  }
  figs.push(['Airflow', airflow(b.zone)]);
  return { cls, chip, entry, figs, purging: mode === 'purge' };
}

// fanTrouble says what is wrong with a booth's fans, in words, or '' when
// nothing is: a fan ventd cannot drive, or one with a fault alarm (a
// stall: driven but not turning).
function fanTrouble(b) {
  if (!state) return '';
  const fans = fansOf(b.zone);
  if (fans.some((f) => f.error)) return 'ventd cannot drive its fan';
  if (subjectLevel(b.fans) >= LEVELS.fault) return 'its fan has a fault (' + activeAlarms().filter((a) => a.condition && b.fans.includes(a.subject) && a.level === 'fault').map((a) => a.message).join('; ') + ')';
  return '';
}

// airflow says how much of its fans' rated air the booth gets, as the
// law measured it from how fast its smoke cleared: a clogged filter, a
// failing fan or a door propped open shows here before exposure rises.
function airflow(zone) {
  const v = (state.booths || []).find((x) => x.zone === zone);
  if (!v || !v.measured) return 'not yet known';
  return Math.round(v.measured.share * 100) + '% of rated';
}

// fanDuty is a fan's speed as staff read it: a percentage, or for a fan
// on a relay (on_off) On or Off. A fan ventd cannot drive (its output
// failed or never opened) runs at whatever it does: not 0 %.
function fanDuty(f) {
  if (f.error) return 'not controlled';
  if (f.on_off) return f.duty > 0 ? 'On' : 'Off';
  return Math.round(f.duty * 100) + '%' + (f.mode === 'safe' ? ' (safe)' : '');
}

// countdown says how long until safe to enter: seconds, then m:ss, then
// whole minutes (a long estimate is rough, so it does not tick).
function countdown(s) {
  s = Math.ceil(s);
  if (s < 60) return s + ' s';
  if (s < 600) return Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0');
  if (s > 3600) return 'over an hour'; // early in a slow fall: too rough to count
  return 'about ' + Math.ceil(s / 60) + ' min';
}

// ---- drawing ----

// The page's parts, each drawn on its own: one that fails (a state the
// script did not expect) leaves the others drawn and says so, never a
// page that stopped at its first booth card with "No active alarms"
// standing green below it.
const PARTS = {
  banner: { what: 'the banner', draw: () => renderBanner() },
  booths: { what: 'the booths', draw: () => renderBooths() },
  staff: { what: 'the staff area', draw: () => renderStaff() },
  outdoor: { what: 'the outdoor air', draw: () => renderOutdoor() },
  alarms: {
    what: 'the alarms', draw: () => renderAlarms(),
    failed: () => { alarmItems.clear(); $('alarm-list').replaceChildren(el('li', 'unknown', 'The alarms could not be shown: reload the page.')); },
  },
  sensors: { what: 'the sensors', draw: () => renderSensors() },
};
const broken = new Set();

// draw draws one part, and says on the page which parts failed.
function draw(name) {
  const part = PARTS[name];
  const was = broken.size;
  try {
    part.draw();
    broken.delete(name);
  } catch (e) {
    if (!broken.has(name)) console.error('ventd status page: drawing ' + part.what + ' failed:', e);
    broken.add(name);
    try { if (part.failed) part.failed(); } catch (e2) { /* the note below still shows */ }
  }
  if (broken.size || was) {
    const note = $('broken');
    note.hidden = !broken.size;
    note.textContent = broken.size ? 'This page could not show ' + [...broken].map((n) => PARTS[n].what).join(', ') + ' (a fault in the page, not the air): reload it, and tell whoever looks after ventd.' : '';
  }
}

function render() {
  for (const name of Object.keys(PARTS)) draw(name);
}

function renderBanner() {
  const [cls, word, text] = banner();
  const b = $('banner');
  b.className = 'banner ' + cls;
  $('banner-word').textContent = word;
  $('banner-text').textContent = text;
  document.body.classList.toggle('stale', away());
}

function renderBooths() {
  const grid = $('booth-grid');
  for (const b of info.booths) {
    const id = nameId('booth', b.zone);
    let card = cards.get(b.zone);
    if (!card) {
      card = el('article', 'booth');
      card.id = id;
      card.setAttribute('aria-labelledby', nameId('booth', b.zone, 'h'));
      cards.set(b.zone, card);
      const inner = el('div', 'booth-in');
      const head = el('div', 'booth-head');
      const h = el('h3', '', b.zone);
      h.id = nameId('booth', b.zone, 'h');
      head.append(h, el('span', 'chip'));
      const act = el('div', 'act');
      const btn = el('button', 'purge-btn', 'Purge');
      btn.type = 'button';
      btn.setAttribute('aria-label', 'Purge ' + b.zone);
      btn.addEventListener('click', () => openAction({ kind: 'purge', zone: b.zone }));
      act.append(btn);
      inner.append(head, el('p', 'entry'), el('dl', 'figs'), act);
      card.append(inner);
      grid.append(card);
    }
    const v = booth(b);
    card.className = 'booth ' + v.cls;
    card.querySelector('.chip').textContent = v.chip;
    card.querySelector('.entry').textContent = v.entry;
    const dl = card.querySelector('.figs');
    dl.replaceChildren(...v.figs.flatMap(([k, val]) => [el('dt', '', k), el('dd', '', val)]));
    const btn = card.querySelector('.purge-btn');
    // A purge running shows on the card whatever its chip says (a fan
    // fault, an alarm): the button says so.
    const label = v.purging ? 'Purging…' : 'Purge';
    if (btn.textContent !== label) {
      btn.textContent = label;
      btn.setAttribute('aria-label', v.purging ? 'Purging… ' + b.zone + ': purge again' : 'Purge ' + b.zone);
    }
    btn.disabled = !info.actions || !b.fans.length;
    if (!info.actions) btn.setAttribute('aria-describedby', 'actions-off');
  }
  // A booth gone from the config (ventd restarted or reloaded while the
  // tablet stayed open) goes from the page: its card stood with its last
  // values and a purge button that could only be refused.
  const zones = new Set(info.booths.map((b) => b.zone));
  for (const [zone, card] of cards) {
    if (!zones.has(zone)) {
      card.remove();
      cards.delete(zone);
    }
  }
  // In the config's order, a booth added among the others too.
  const want = info.booths.map((b) => cards.get(b.zone));
  if (want.length !== grid.children.length || want.some((c, i) => grid.children[i] !== c)) grid.replaceChildren(...want);
}

function pollutants() {
  const out = [];
  for (const z of info.staff) {
    for (const e of state.exposure || []) {
      if (e.zone !== z.zone) continue;
      // A sensor over its range gives no exposure value, but the air holds
      // at least its reading: show that, marked, rather than "unknown".
      const over = readings(z.zone, e.quantity).filter((r) => r.above_range).map((r) => r.value);
      if (over.length) out.push({ zone: z.zone, q: e.quantity, unit: e.unit, value: Math.max(...over), over: true, e });
      else out.push({ zone: z.zone, q: e.quantity, unit: e.unit, value: e.value, e });
    }
    for (const r of readings(z.zone, 'voc_index')) {
      out.push({ zone: z.zone, q: 'voc_index', unit: 'index', value: r.quality === 'good' ? r.value : null, quality: r.quality });
    }
  }
  return out;
}

function renderStaff() {
  const list = $('staff-list');
  const multi = info.staff.length > 1;
  const seen = new Set();
  for (const p of pollutants()) {
    const key = p.zone + '\n' + p.q;
    seen.add(key);
    let row = rows.get(key);
    if (!row) {
      row = el('div', 'pol');
      row.id = nameId('pol', p.zone, p.q);
      rows.set(key, row);
      const name = el('div');
      name.append(el('h3', '', NAMES[p.q] + (multi ? ' · ' + p.zone : '')), el('p', 'thr'));
      const val = el('p', 'val');
      const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
      svg.setAttribute('class', 'spark');
      svg.setAttribute('role', 'img');
      svg.setAttribute('viewBox', '0 0 100 40');
      svg.setAttribute('preserveAspectRatio', 'none');
      row.append(name, val, svg, el('div', 'fracs'));
      list.append(row);
    }
    const thr = info.thresholds[p.q];
    let lvl = 'unknown', word = p.quality && p.quality !== 'good' ? p.quality.replace('_', ' ') : 'unknown';
    if (away()) {
      // The last value stays, dimmed, but no verdict on air nobody reads.
      word = 'no data';
    } else if (p.value !== null && p.value !== undefined) {
      lvl = 'ok'; word = 'OK';
      if (thr && thr.alarm && p.value >= thr.alarm) { lvl = 'alarm'; word = 'ALARM'; } else if (thr && thr.warning && p.value >= thr.warning) { lvl = 'warning'; word = 'WARNING'; }
    }
    row.className = 'pol p-' + lvl;
    const lim = p.e && p.e.shift ? p.e.shift.limits : null;
    const limited = lim && (lim.stel > 0 || lim.twa > 0);
    row.querySelector('.thr').textContent = thr ? 'warn ' + num(thr.warning) + ' · alarm ' + num(thr.alarm) + (p.e && !limited ? ' · no limit' : '') : p.e && !limited ? 'no threshold or limit' : 'no threshold';
    const val = row.querySelector('.val');
    val.replaceChildren((p.over ? '≥ ' : '') + fmt(p.value, p.q) + ' ', el('span', 'unit', p.unit), el('span', 'lvl', word));
    drawSpark(row.querySelector('.spark'), p, thr);
    row.querySelector('.fracs').replaceChildren(...fractions(p));
  }
  for (const [key, row] of rows) {
    if (!seen.has(key)) {
      row.remove();
      rows.delete(key);
    }
  }
}

// renderOutdoor shows the air the room takes in (info.outdoor: a sensor
// outside or in the supply duct) as a small item beside the staff
// heading: it says whether the staff area's clean air is itself smoky
// today. No level colour and no staff row: the staff's thresholds and
// limits are not its own, and nobody's exposure is recorded there.
function renderOutdoor() {
  const zones = info.outdoor || [];
  const box = $('outdoor-list');
  box.hidden = !zones.length;
  const multi = zones.length > 1;
  const items = zones.map((z) => {
    let it = outdoors.get(z.zone);
    if (!it) {
      it = el('span', 'outdoor');
      it.id = nameId('outdoor', z.zone);
      outdoors.set(z.zone, it);
      it.append(el('span', 'outdoor-name', 'Outdoor air' + (multi ? ' · ' + z.zone : '')), el('span', 'outdoor-figs'));
    }
    let figs = [outdoorFigure(z.zone, 'pm25', 'µg/m³'), outdoorFigure(z.zone, 'co2', 'ppm')].filter(Boolean);
    if (away()) figs = ['no data'];
    else if (!figs.length) figs = ['no reading yet'];
    // Each figure stays on one line; a narrow screen breaks between them.
    it.querySelector('.outdoor-figs').replaceChildren(...figs.flatMap((f, i) => (i ? [' · ', el('span', 'fig', f)] : [el('span', 'fig', f)])));
    return it;
  });
  if (items.length !== box.children.length || items.some((it, i) => box.children[i] !== it)) box.replaceChildren(...items);
  const kept = new Set(zones.map((z) => z.zone));
  for (const zone of outdoors.keys()) if (!kept.has(zone)) outdoors.delete(zone);
}

// outdoorFigure is one quantity of an outdoor zone in words ("PM2.5 12
// µg/m³"), its quality when it is not a measurement, or null with no
// sensor of it there.
function outdoorFigure(zone, q, unit) {
  const rs = readings(zone, q);
  if (!rs.length) return null;
  const good = rs.filter((r) => r.quality === 'good' || r.above_range);
  if (!good.length) return NAMES[q] + ' ' + rs[0].quality.replace('_', ' ');
  const over = good.some((r) => r.above_range);
  return NAMES[q] + ' ' + (over ? '≥ ' : '') + fmt(Math.max(...good.map((r) => r.value)), q) + ' ' + unit;
}

function fractions(p) {
  const e = p.e;
  if (!e) return [el('span', 'nolim', 'relative: no exposure limit')];
  const sh = e.shift;
  const lim = sh ? sh.limits : null;
  const out = [];
  const add = (label, v, limit, unit) => {
    const f = el('div', 'frac');
    if (limit > 0 && v !== null && v !== undefined) {
      const pct = (100 * v) / limit;
      f.append(el('span', '', label), el('b', '', Math.round(pct) + '% of limit'));
      const bar = el('span', 'bar' + (pct >= 100 ? ' over' : pct >= 50 ? ' hi' : ''));
      bar.setAttribute('aria-hidden', 'true');
      const fill = el('span');
      fill.style.width = Math.min(100, pct) + '%';
      bar.append(fill);
      f.append(bar);
    } else {
      f.append(el('span', '', label), el('b', '', v === null || v === undefined ? '—' : fmt(v, p.q) + ' ' + unit));
    }
    return f;
  };
  out.push(add('STEL', e.stel, lim ? lim.stel : 0, e.unit));
  if (sh) out.push(add('Shift TWA', sh.twa_osha, sh.adjusted_twa_limit, e.unit));
  else out.push(add('Shift TWA', null, 0, e.unit));
  return out;
}

function drawSpark(svg, p, thr) {
  const end = new Date(state.time).getTime();
  const start = end - 3600e3;
  const s = (trend.series || []).find((x) => x.zone === p.zone && x.quantity === p.q);
  const pts = s ? s.points.map((x) => [new Date(x.t).getTime() + 30e3, x.mean, x.covered_s]) : [];
  if (p.value !== null && p.value !== undefined) pts.push([end, p.value, 60]);
  const vals = pts.map((x) => x[1]);
  let top = Math.max(1, ...vals);
  if (thr && thr.warning && thr.warning < top * 3) top = Math.max(top, thr.warning * 1.1);
  const X = (t) => ((t - start) / 3600e3) * 100;
  const Y = (v) => 40 - (v / top) * 38;
  let d = '';
  let prev = null;
  for (const [t, v, cov] of pts) {
    if (t < start || cov < 20) { prev = null; continue; }
    d += (prev === null || t - prev > 130e3 ? 'M' : 'L') + X(t).toFixed(2) + ' ' + Y(v).toFixed(2) + ' ';
    prev = t;
  }
  const kids = [];
  const line = (cls, y) => {
    const l = document.createElementNS('http://www.w3.org/2000/svg', 'line');
    l.setAttribute('class', cls);
    l.setAttribute('x1', '0'); l.setAttribute('x2', '100');
    l.setAttribute('y1', y); l.setAttribute('y2', y);
    return l;
  };
  if (thr && thr.warning && thr.warning <= top) kids.push(line('thr-w', Y(thr.warning)));
  if (thr && thr.alarm && thr.alarm <= top) kids.push(line('thr-a', Y(thr.alarm)));
  if (d) {
    const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
    path.setAttribute('class', 'line');
    path.setAttribute('d', d);
    kids.push(path);
  }
  svg.replaceChildren(...kids);
  const shown = pts.filter((x) => x[0] >= start).map((x) => x[1]);
  svg.setAttribute('aria-label', NAMES[p.q] + ', last hour: ' + (shown.length ? 'from ' + fmt(Math.min(...shown), p.q) + ' to ' + fmt(Math.max(...shown), p.q) + ' ' + p.unit : 'no data yet'));
}

// renderAlarms keeps one item per alarm id and updates it in place, so a
// button someone is about to press (or has focused) stays where it is.
function renderAlarms() {
  const list = $('alarm-list');
  const al = activeAlarms();
  const now = new Date(state.time).getTime();
  announceAlarms(al);
  // The count in the heading: on a small screen the list scrolls inside
  // its panel, and the third alarm can be out of sight.
  // With no data the list is the last one known: said so, and never the
  // green "No active alarms" over a room nobody is reading.
  $('alarms-h').textContent = (al.length > 1 ? 'Alarms (' + al.length + ')' : 'Alarms') + (away() && al.length ? ', last known' : '');
  const ids = new Set(al.map((a) => a.id));
  for (const id of alarmItems.keys()) if (!ids.has(id)) alarmItems.delete(id);
  if (!al.length) {
    const none = away() ? 'Not known: no data from ventd' : 'No active alarms';
    const item = list.firstElementChild;
    if (list.children.length !== 1 || !item || item.textContent !== none) list.replaceChildren(el('li', away() ? 'unknown' : 'none', none));
    return;
  }
  const items = al.map((a) => {
    let li = alarmItems.get(a.id);
    if (!li) {
      li = el('li');
      li.id = 'alarm-' + a.id; // a number: never a page's own id
      alarmItems.set(a.id, li);
      const text = el('div');
      const head = el('p');
      head.append(el('span', 'lvl', a.level), el('span', 'msg'));
      text.append(head, el('p', 'age'));
      li.append(text, el('div', 'ack'));
    }
    li.className = 'alarm a-' + a.level;
    li.querySelector('.msg').textContent = a.message;
    li.querySelector('.age').textContent = 'since ' + clockText(a.since) + ', ' + dur((now - new Date(a.since).getTime()) / 1000) +
      (a.condition ? '' : a.held ? ' · over for now; held because it came and went repeatedly, and clears once it stays away' : ' · condition over' + (a.latching && !a.acked ? ': acknowledge to clear' : ''));
    li.classList.toggle('a-over', !a.condition);
    const ack = li.querySelector('.ack');
    if (a.acked && !ack.querySelector('.acked')) {
      ack.replaceChildren(el('p', 'acked', 'Acknowledged by ' + a.acked_by));
    } else if (!a.acked && !ack.querySelector('button')) {
      const btn = el('button', 'ack-btn', 'Acknowledge');
      btn.type = 'button';
      btn.setAttribute('aria-label', 'Acknowledge ' + a.level + ': ' + a.message);
      btn.addEventListener('click', () => openAction({ kind: 'ack', id: a.id, text: a.level + ': ' + a.message }));
      ack.replaceChildren(btn);
    }
    const btn = ack.querySelector('button');
    if (btn) btn.disabled = !info.actions;
    return li;
  });
  if (items.length !== list.children.length || items.some((li, i) => list.children[i] !== li)) list.replaceChildren(...items);
}

// renderSensors lists the sensors that need attention by name, and the
// rest as a count: "all 10 OK" reads faster than ten green chips.
function renderSensors() {
  if (away()) {
    // Not "all OK": nothing says how they are now.
    const li = el('li', 's-bad', 'sensors');
    li.append(el('b', '', 'no data'));
    $('sensor-list').replaceChildren(li);
    return;
  }
  const sensors = state.sensors || [];
  const items = [];
  let ok = 0;
  for (const s of sensors) {
    let cls = 's-bad', word = '';
    const q = (state.readings || []).filter((r) => r.sensor === s.name && !r.above_range).map((r) => r.quality);
    // The sensor's own report first: a blocked SPS30 fan needs cleaning,
    // not a cable check.
    if ((s.status || []).length) word = s.status[0].split(':')[0] + ': clean or replace it';
    else if (!s.up) word = 'not responding';
    else if (s.frozen) word = 'frozen';
    else if (q.includes('fault') || q.includes('out_of_range') || q.includes('stale')) word = 'bad data';
    else if (q.includes('warmup')) { cls = 's-warm'; word = 'warming up'; }
    if (!word) { ok++; continue; }
    const li = el('li', cls, s.name);
    li.append(el('b', '', word));
    items.push(li);
  }
  if (ok) {
    const li = el('li', 's-ok', items.length ? 'the other ' + ok : 'all ' + ok + ' sensors');
    li.append(el('b', '', 'OK'));
    items.push(li);
  }
  $('sensor-list').replaceChildren(...items);
}

// ---- announcements and sound ----

function say(which, text) {
  const r = $(which);
  r.textContent = '';
  setTimeout(() => { r.textContent = text; }, 50);
}

function announceAlarms(al) {
  const now = new Map(al.map((a) => [a.id, a]));
  if (known === null) {
    if (al.length) say('announce', al.length + ' active alarm' + (al.length > 1 ? 's' : '') + ': ' + al.map((a) => a.level + ', ' + a.message).join('; '));
  } else {
    const raised = al.filter((a) => !known.has(a.id));
    const cleared = [...known.values()].filter((a) => !now.has(a.id));
    // A latched alarm whose air is over its level again is the same
    // alarm, but staff must hear it as they would a new one.
    const returned = al.filter((a) => known.has(a.id) && a.condition && !known.get(a.id).condition && !a.acked);
    const loud = raised.concat(returned);
    if (loud.length) {
      say('announce', raised.map((a) => a.level + ': ' + a.message).concat(returned.map((a) => a.level + ', again: ' + a.message)).join('; '));
      if (loud.some((a) => LEVELS[a.level] >= LEVELS.alarm)) beep();
    }
    if (cleared.length) say('notice', 'Cleared: ' + cleared.map((a) => a.message).join('; '));
  }
  known = now;
}

function beep() {
  if (!soundOn()) return;
  lastBeep = performance.now();
  const t = sound.currentTime;
  for (let i = 0; i < 3; i++) {
    const o = sound.createOscillator();
    const g = sound.createGain();
    o.frequency.value = 880;
    g.gain.value = 0.25;
    o.connect(g).connect(sound.destination);
    o.start(t + i * 0.35);
    o.stop(t + i * 0.35 + 0.2);
  }
}

// beepIfDue repeats the sound every 30 s while an alarm nobody has
// acknowledged is active.
function beepIfDue() {
  const due = activeAlarms().some((a) => !a.acked && LEVELS[a.level] >= LEVELS.alarm);
  if (due && performance.now() - lastBeep > 30e3) beep();
}

// soundOn reports whether the page can play sound now.
function soundOn() {
  return !!sound && sound.state === 'running';
}

// startSound makes the AudioContext, or resumes it: from a tap it always
// may; by itself only where the browser allows it.
function startSound() {
  const AC = window.AudioContext || window.webkitAudioContext;
  if (!AC) return;
  try {
    if (!sound || sound.state === 'closed') {
      sound = new AC();
      sound.addEventListener('statechange', renderSound);
    }
    if (sound.state !== 'running') {
      const p = sound.resume();
      if (p && p.catch) p.catch(() => {}); // refused: the button says so
    }
  } catch (e) { /* no sound on this browser: the button says so */ }
  renderSound();
}

function toggleSound() {
  if (soundOn()) {
    sound.close();
    sound = null;
    renderSound();
    return;
  }
  startSound();
  if (soundOn()) beep();
  else if (sound) sound.resume().then(() => beep(), () => {});
}

// renderSound shows whether the tablet will beep. With sound on in the
// config and not playing (the browser refused to start it without a
// tap, or someone turned it off) the button is loud and yellow: "SOUND
// OFF – tap to turn on". A small "Sound off" that read like a setting
// left tablets silent for good after a reload.
function renderSound() {
  const btn = $('sound');
  const on = soundOn();
  const none = !(window.AudioContext || window.webkitAudioContext);
  btn.classList.toggle('off', !on);
  btn.setAttribute('aria-pressed', on ? 'true' : 'false');
  if (on) btn.replaceChildren('Sound on');
  else if (none) btn.replaceChildren(el('b', '', 'NO SOUND'), ' ', el('span', '', 'this browser cannot beep'));
  else btn.replaceChildren(el('b', '', 'SOUND OFF'), ' ', el('span', '', 'tap to turn on'));
}

// ---- purge and acknowledge ----

let pending = null;

function openAction(a) {
  pending = a;
  const purge = a.kind === 'purge';
  $('dlg-title').textContent = purge ? 'Purge ' + a.zone : 'Acknowledge alarm';
  let what = a.text;
  if (purge) {
    // Not "until the booth is safe to enter" over a fan that does not
    // turn: the booth may never clear.
    const b = info.booths.find((x) => x.zone === a.zone);
    const trouble = b ? fanTrouble(b) : '';
    what = trouble ? 'Warning: ' + trouble + '. The purge asks the fan for maximum, but the booth may not clear: do not count on it. The record keeps your name.'
      : 'The fan goes to maximum until the booth is safe to enter. The record keeps your name.';
  }
  $('dlg-what').textContent = what;
  $('dlg-ok').textContent = purge ? 'Purge now' : 'Acknowledge';
  $('dlg-name').value = ''; // the next person at the tablet must give their own
  $('dlg-note').value = '';
  $('dlg-pin').value = '';
  $('dlg-msg').textContent = '';
  $('dlg').showModal();
  $('dlg-name').focus();
}

function token() {
  const m = document.cookie.match(/(?:^|;\s*)ventd_page=([^;]+)/);
  return m ? m[1] : '';
}

async function submitAction(ev) {
  ev.preventDefault();
  const a = pending;
  if (!a) return;
  const body = { name: $('dlg-name').value, pin: $('dlg-pin').value };
  let url;
  if (a.kind === 'purge') { url = 'api/purge'; body.zone = a.zone; body.reason = $('dlg-note').value; } else { url = 'api/acknowledge'; body.alarm_id = a.id; body.note = $('dlg-note').value; }
  const ok = $('dlg-ok');
  ok.disabled = true;
  $('dlg-msg').textContent = 'Sending…';
  try {
    const r = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Ventd-Token': token() }, body: JSON.stringify(body), cache: 'no-store' });
    const j = await r.json().catch(() => ({}));
    if (!r.ok) {
      $('dlg-msg').textContent = j.error || 'Refused (HTTP ' + r.status + ')';
      $('dlg-pin').value = '';
      $('dlg-pin').focus();
      return;
    }
    $('dlg').close();
    pending = null;
    toast(j.result || 'Done');
  } catch (e) {
    $('dlg-msg').textContent = 'ventd did not answer: ' + e.message;
  } finally {
    ok.disabled = false;
  }
}

let toastTimer = null;
function toast(text) {
  const t = $('toast');
  t.textContent = text;
  t.hidden = false;
  say('notice', text);
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { t.hidden = true; }, 10000);
}

function start() {
  dialogFallback($('dlg'));
  $('dlg-form').addEventListener('submit', submitAction);
  $('dlg-cancel').addEventListener('click', () => { $('dlg').close(); pending = null; });
  $('sound').addEventListener('click', toggleSound);
  loadInfo();
  loadTrend();
  connect();
  setInterval(tick, 1000);
}

start();
