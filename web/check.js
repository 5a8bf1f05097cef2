/* make web-check: headless Chromium plays the browser build as a student
 * would, over the DevTools protocol, and checks both the pictures and what
 * the page reports (window.walviz, see walviz-page.js).
 *   node web/check.js SITE-DIR OUT-DIR          the checks; pictures in OUT-DIR
 *   node web/check.js --bench SITE-DIR OUT-DIR  sizes, time to first picture
 *                                               and frames a second (make web-bench)
 * Ends with "N passed, N failed"; exit status 1 when a check failed. */
'use strict';
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const { launch, sleep } = require('./cdp');
const { serve } = require('./serve');

const W = 1280, H = 800, BAR = 44; /* the page's bar is 2.75rem of 16px */

let passed = 0, failed = 0;
function check(name, ok, detail) {
  if (ok) passed++;
  else failed++;
  console.log((ok ? 'ok   ' : 'FAIL ') + name + (detail ? ': ' + detail : ''));
}

/* The sample table of sample-data/README.md, read here independently of
 * the page: [{ name, messages }]. */
function readSamples(site) {
  const md = fs.readFileSync(path.join(site, 'samples', 'README.md'), 'utf8');
  const rows = [];
  for (const line of md.split('\n')) {
    const m = /^\|\s*`([^`]+\.wvr)`\s*\|[^|]*\|\s*([\d,]+) messages/.exec(line);
    if (m) rows.push({ name: m[1], messages: Number(m[2].replace(/,/g, '')) });
  }
  return rows;
}

/* Pixels of the canvas area that differ between two screenshots. */
function changed(a, b) {
  let n = 0;
  for (let y = BAR; y < Math.min(a.height, b.height); y++)
    for (let x = 0; x < a.width; x++) {
      const o = (y * a.width + x) * 4;
      if (Math.abs(a.rgba[o] - b.rgba[o]) + Math.abs(a.rgba[o + 1] - b.rgba[o + 1]) +
          Math.abs(a.rgba[o + 2] - b.rgba[o + 2]) > 30)
        n++;
    }
  return n;
}

/* How many colours, and the share of pixels not black, below the bar. */
function looks(img) {
  const colours = new Set();
  let lit = 0, all = 0;
  for (let y = Math.round(BAR * img.width / W); y < img.height; y++)
    for (let x = 0; x < img.width; x++) {
      const o = (y * img.width + x) * 4;
      const r = img.rgba[o], g = img.rgba[o + 1], b = img.rgba[o + 2];
      colours.add((r >> 3) << 10 | (g >> 3) << 5 | b >> 3);
      if (r + g + b > 60) lit++;
      all++;
    }
  return { colours: colours.size, lit: lit / all };
}

/* Centres of small clusters of near-white pixels on the lanes, the middle
 * of the picture between the leader's and the followers' boxes: where the
 * chips of packets in flight are (projector-dark draws them white). */
function whiteSpots(img) {
  const spots = [];
  const x0 = Math.round(img.width * 0.27), x1 = Math.round(img.width * 0.71);
  const y0 = BAR + 40, y1 = Math.round(img.height * 0.66);
  for (let y = y0; y < y1; y += 3)
    for (let x = x0; x < x1; x += 3) {
      const o = (y * img.width + x) * 4;
      if (img.rgba[o] > 225 && img.rgba[o + 1] > 225 && img.rgba[o + 2] > 225 &&
          !spots.some((s) => Math.abs(s.x - x) < 12 && Math.abs(s.y - y) < 12))
        spots.push({ x, y });
    }
  return spots;
}

/* Does action, then waits until the picture has answered it: a first new
 * frame, then (paused) no further one for 150 ms, since one key or click
 * can bring several events and frames. Returns what the page reports. */
async function frameAfter(page, action, what) {
  const before = await page.eval('walviz.frames');
  await action();
  await page.waitFor('walviz.frames > ' + before, 5000, 'a frame after ' + what);
  for (let n = -1, tries = 0; tries < 40; tries++) {
    const st = await page.eval('JSON.parse(JSON.stringify(walviz))');
    if (st.playing || st.frames === n) return st;
    n = st.frames;
    await sleep(150);
  }
  throw new Error('the picture did not settle after ' + what);
}

async function openPage(page, base, hash, scale) {
  await page.send('Emulation.setDeviceMetricsOverride', { width: W, height: H, deviceScaleFactor: scale || 1, mobile: false });
  await page.send('Page.navigate', { url: 'about:blank' }); /* a new page even if only the hash differs */
  await page.send('Page.navigate', { url: base + (hash || '') });
  await page.waitFor('typeof walviz === "object" && walviz.state !== "loading"', 20000, 'the program to start');
}

async function checks(browser, base, site, out) {
  const page = await browser.newPage();
  try {
    await checkPage(page, site, base, out);
  } catch (e) {
    const state = await page.eval('JSON.stringify(walviz) + " " + document.getElementById("message").textContent').catch(() => '?');
    e.message += '; the page: ' + state;
    throw e;
  }
}

async function checkPage(page, site, base, out) {
  const samples = readSamples(site);
  const shot = (name) => page.screenshot(path.join(out, name + '.png'));

  /* the list, and a sample opened from it */
  await openPage(page, base, '');
  await page.waitFor('walviz.state === "ready" && walviz.samples.length', 20000, 'the list');
  await shot('0-list');
  const clickIntro = 'Array.from(document.querySelectorAll("#samples tbody button"))' +
                     '.find((b) => b.textContent === "intro").click(); 1';
  await page.eval(clickIntro);
  await page.waitFor('walviz.state === "opened" && walviz.frames > 0', 20000, 'intro to open from the list');
  const hash = await page.eval('location.hash');
  check('the list\'s intro button opens it, with a link to it in the address', hash === '#sample=intro', hash);
  const listed = await page.eval('walviz.samples.join(",")');
  check('the page lists the samples of sample-data/README.md', samples.length >= 6 &&
        listed === samples.map((s) => s.name).join(','), listed);
  const rows = await page.eval('document.querySelectorAll("#samples tbody tr").length');
  check('each sample has a row saying what it teaches', rows === samples.length, rows + ' rows');
  const st = await page.eval('JSON.parse(JSON.stringify(walviz))');
  const intro = samples.find((s) => s.name === 'intro.wvr');
  check('#sample=intro opens intro.wvr with its messages', st.name === 'intro.wvr' && intro &&
        st.messages === intro.messages, st.name + ', ' + st.messages + ' messages');
  check('the first picture came', st.firstPictureMs > 0,
        Math.round(st.firstPictureMs) + ' ms after the page started loading');
  const first = await shot('1-intro-opened');
  const l = looks(first);
  check('the picture is drawn (not black, many colours)', l.colours > 50 && l.lit > 0.1,
        l.colours + ' colours, ' + (l.lit * 100).toFixed(0) + '% lit');
  const size = await page.eval('[canvas.width, canvas.height, canvas.clientWidth, canvas.clientHeight].join(",")');
  check('the canvas fills the page below the bar', size === [W, H - BAR, W, H - BAR].join(','), size);

  /* keys */
  let s = await frameAfter(page, () => page.key('ArrowRight', 'ArrowRight', 39), 'Right');
  s = await frameAfter(page, () => page.key('ArrowRight', 'ArrowRight', 39), 'Right');
  s = await frameAfter(page, () => page.key('ArrowRight', 'ArrowRight', 39), 'Right');
  const t3 = s.now_us;
  const stepped = await shot('2-intro-3-steps');
  check('Right steps forward and the picture moves', t3 > 0 && changed(first, stepped) > 500,
        't = ' + t3 + ' us, ' + changed(first, stepped) + ' pixels changed');
  s = await frameAfter(page, () => page.key('ArrowLeft', 'ArrowLeft', 37), 'Left');
  check('Left steps back', s.now_us < t3, t3 + ' -> ' + s.now_us + ' us');
  await frameAfter(page, () => page.key('ArrowRight', 'ArrowRight', 39), 'Right');
  const help0 = await shot('3-before-help');
  await frameAfter(page, () => page.key('KeyH', 'h', 72), 'H');
  const help = await shot('3-help');
  check('H shows the keys over the picture', changed(help0, help) > 20000, changed(help0, help) + ' pixels changed');
  await frameAfter(page, () => page.key('Escape', 'Escape', 27), 'Escape');
  await frameAfter(page, () => page.key('Slash', '?', 191, 8), '?');
  const help2 = await shot('3-help-question-mark');
  check('? (Shift and /) shows the keys too', changed(help0, help2) > 20000, changed(help0, help2) + ' pixels changed');
  await frameAfter(page, () => page.key('Escape', 'Escape', 27), 'Escape');

  /* a click on a packet selects it */
  const lane = await shot('4-before-click');
  const spots = whiteSpots(lane);
  let sel = -1, tries = 0;
  for (const p of spots.slice(0, 40)) {
    tries++;
    s = await frameAfter(page, () => page.click(p.x, p.y), 'a click');
    if (s.selected >= 0) {
      sel = s.selected;
      break;
    }
  }
  const clicked = await shot('4-packet-clicked');
  check('a click on a packet selects it, and the inspector shows it', sel >= 0 && changed(lane, clicked) > 200,
        'packet ' + sel + ' after ' + tries + ' click(s) on ' + spots.length + ' chips, ' +
        changed(lane, clicked) + ' pixels changed');

  /* a drag along the timeline scrubs */
  s = await frameAfter(page, async () => {
    const at = (type, x, buttons) => page.send('Input.dispatchMouseEvent',
      { type, x, y: H - 26, button: 'left', buttons, clickCount: 1 });
    await at('mouseMoved', 200, 0); /* SDL presses where the pointer last moved */
    await at('mousePressed', 200, 1);
    for (let x = 250; x <= 700; x += 50) await at('mouseMoved', x, 1);
    await at('mouseReleased', 700, 0);
  }, 'a drag on the timeline');
  const scrubbed = s.now_us;
  check('a drag along the timeline scrubs to where it ends', scrubbed > 2000000 && scrubbed < 4000000,
        't = ' + scrubbed + ' us at about 55% of a 6 s recording');
  await frameAfter(page, () => page.key('Home', 'Home', 36), 'Home');

  /* play */
  s = await frameAfter(page, () => page.key('Space', ' ', 32), 'Space');
  const t0 = s.now_us, f0 = s.frames;
  await sleep(1000);
  s = await page.eval('JSON.parse(JSON.stringify(walviz))');
  check('Space plays: time runs and frames come', s.playing && s.now_us > t0 + 300000 && s.frames > f0 + 10,
        (s.now_us - t0) + ' us played, ' + (s.frames - f0) + ' frames in 1 s');
  s = await frameAfter(page, () => page.key('Space', ' ', 32), 'Space');
  check('Space again pauses', !s.playing, 't = ' + s.now_us + ' us');

  /* resize */
  await page.send('Emulation.setDeviceMetricsOverride', { width: 900, height: 600, deviceScaleFactor: 1, mobile: false });
  await page.waitFor('canvas.width === 900 && canvas.height === ' + (600 - BAR), 5000, 'the canvas to follow');
  await frameAfter(page, () => page.key('ArrowRight', 'ArrowRight', 39), 'Right');
  const small = await shot('5-resized-900x600');
  const ls = looks(small);
  check('the canvas follows a resize of the page', small.width === 900 && ls.lit > 0.1,
        small.width + 'x' + small.height + ', ' + (ls.lit * 100).toFixed(0) + '% lit');
  await page.send('Emulation.setDeviceMetricsOverride', { width: W, height: H, deviceScaleFactor: 1, mobile: false });

  /* fullscreen, from the page's button */
  await page.send('Runtime.evaluate', { expression: 'document.getElementById("fullscreen").click()', userGesture: true });
  let full = false;
  try {
    full = await page.waitFor('document.fullscreenElement && document.fullscreenElement.id', 3000, 'fullscreen');
  } catch (e) { full = e.message; }
  check('the Fullscreen button puts the picture in fullscreen', full === 'stage', String(full));
  await page.eval('document.fullscreenElement ? document.exitFullscreen().then(() => 1) : 1');
  await page.waitFor('!document.fullscreenElement', 3000, 'fullscreen to end');
  await page.key('KeyF', 'f', 70);
  try {
    full = await page.waitFor('document.fullscreenElement && document.fullscreenElement.id', 3000, 'fullscreen');
  } catch (e) { full = e.message; }
  check('F in the picture goes fullscreen too', full === 'canvas', String(full));
  await page.key('KeyF', 'f', 70);
  await page.waitFor('!document.fullscreenElement', 3000, 'F again to end fullscreen');
  await page.waitFor('canvas.width === ' + W + ' && canvas.height === ' + (H - BAR), 3000,
                     'the canvas to fill the page again after fullscreen');

  /* your own recording through the file picker */
  const mine = path.join(out, 'my-class.wvr');
  fs.copyFileSync(path.join(site, 'samples', 'bank.wvr'), mine);
  const bank = samples.find((x) => x.name === 'bank.wvr');
  await pick(page, mine);
  await page.waitFor('walviz.state === "opened" && walviz.name === "my-class.wvr" && walviz.frames > 0', 10000, 'my-class.wvr to open');
  s = await page.eval('JSON.parse(JSON.stringify(walviz))');
  check('a file from the picker opens', bank && s.messages === bank.messages, s.name + ', ' + s.messages + ' messages');
  await shot('6-picked');

  /* a file that is not a recording */
  const bad = path.join(out, 'notes.txt');
  fs.writeFileSync(bad, 'Things to say in class\nabout replication\n');
  await pick(page, bad);
  await page.waitFor('walviz.state === "failed"', 10000, 'notes.txt to be refused');
  const msg = await page.eval('document.getElementById("message").hidden ? "" : document.getElementById("message").textContent');
  check('a file that is not a recording is refused with a message on the page',
        /notes\.txt/.test(msg) && /recording/.test(msg), JSON.stringify(msg.split('\n')[0]));
  await shot('6-not-a-recording');

  /* drag and drop */
  fs.copyFileSync(path.join(site, 'samples', 'shop.wvr'), path.join(out, 'dropped: Übung 3.wvr'));
  const drop = { items: [], files: [path.join(out, 'dropped: Übung 3.wvr')], dragOperationsMask: 1 };
  for (const type of ['dragEnter', 'dragOver', 'drop'])
    await page.send('Input.dispatchDragEvent', { type, x: 600, y: 400, data: drop });
  await page.waitFor('walviz.state === "opened" && walviz.name === "dropped: Übung 3.wvr"', 10000, 'the dropped file to open');
  s = await page.eval('JSON.parse(JSON.stringify(walviz))');
  const shop = samples.find((x) => x.name === 'shop.wvr');
  check('a dropped file opens', shop && s.messages === shop.messages, s.name + ', ' + s.messages + ' messages');
  await shot('7-dropped');

  /* a link to a sample that is not there */
  await page.eval('location.hash = "#sample=nope"; 1');
  await page.waitFor('walviz.state === "failed"', 10000, 'the missing sample to be reported');
  const nope = await page.eval('document.getElementById("message").textContent');
  check('a link to a missing sample says so', /no sample nope\.wvr/.test(nope), JSON.stringify(nope));

  /* a theme in the link: projector-light is mostly white */
  await page.eval('location.hash = "#sample=intro&theme=projector-light"; 1');
  await page.waitFor('walviz.state === "opened" && walviz.name === "intro.wvr" && walviz.frames > 0', 10000, 'intro in the light theme');
  const light = looks(await shot('7-intro-projector-light'));
  check('a link can choose the theme', light.lit > 0.8, (light.lit * 100).toFixed(0) + '% lit');

  /* options in the link */
  await page.eval('location.hash = "#sample=intro&latency=bogus"; 1');
  await page.waitFor('walviz.state === "failed" && /bogus/.test(document.getElementById("message").textContent)', 10000,
                     'the bad option to be reported');
  const bogus = await page.eval('document.getElementById("message").textContent');
  check('a bad option in a link is reported', /latency/.test(bogus) && /bogus/.test(bogus), JSON.stringify(bogus));
  await openPage(page, base, '?sample=bank');
  await page.waitFor('walviz.state === "opened" && walviz.name === "bank.wvr" && walviz.frames > 0', 10000, 'bank');
  const plain = await shot('9-bank');
  await openPage(page, base, '?sample=bank&sync=remote_apply&sync-standbys=FIRST%201%20(f2)');
  await page.waitFor('walviz.state === "opened" && walviz.name === "bank.wvr" && walviz.frames > 0', 10000, 'bank with options');
  const opted = await shot('9-bank-remote-apply');
  check('a ?sample= link with replay options opens, and they change the picture', changed(plain, opted) > 300,
        'bank.wvr --sync remote_apply --sync-standbys "FIRST 1 (f2)": ' + changed(plain, opted) + ' pixels differ');

  /* the demo's own recording: its real lanes (the recording's #real,
   * #realrow and #realmark lines) come with it */
  await openPage(page, base, '#sample=real-nodes');
  await page.waitFor('walviz.state === "opened" && walviz.name === "real-nodes.wvr" && walviz.frames > 0', 20000,
                     'real-nodes to open');
  const rnStill = await shot('12-real-nodes-start');
  await frameAfter(page, () => page.key('Space', ' ', 32), 'Space');
  await sleep(3000);
  await frameAfter(page, () => page.key('Space', ' ', 32), 'Space');
  const rn = await page.eval('JSON.parse(JSON.stringify(walviz))');
  const rnSample = samples.find((x) => x.name === 'real-nodes.wvr');
  const rnShot = await shot('12-real-nodes-3s');
  check('the demo\'s recording with real nodes opens and plays', rnSample && rn.messages === rnSample.messages &&
        rn.now_us > 2000000 && changed(rnStill, rnShot) > 500,
        rn.messages + ' messages, t = ' + rn.now_us + ' us, ' + changed(rnStill, rnShot) + ' pixels changed');

  /* a lesson on it: its real lanes drawn, the step's selection of one */
  await openPage(page, base, '#lesson=real-nodes');
  const rl = await page.waitFor('walviz.state === "opened" && walviz.name === "real-nodes.lesson" && walviz.frames > 0',
                                20000, 'the real-nodes lesson to open').then(() => true, () => false);
  const rlShot = await shot('12-real-nodes-lesson');
  check('the lesson on the demo\'s recording opens, drawn', rl && changed(rnShot, rlShot) > 500,
        'opened: ' + rl + ', ' + changed(rnShot, rlShot) + ' pixels differ from the sample at 3 s');

  /* the lessons: listed, one opened by its link, PageDown to its next step */
  const lessons = fs.readdirSync(path.join(site, 'samples', 'lessons')).filter((f) => f.endsWith('.lesson'));
  await openPage(page, base, '#lesson=a-change-travels');
  await page.waitFor('walviz.state === "opened" && walviz.name === "a-change-travels.lesson" && walviz.frames > 0',
                     20000, 'the lesson to open');
  const listedLessons = await page.eval('walviz.lessons.join(",") + " " + document.querySelectorAll("#lessons tbody tr").length');
  check('the page lists the lessons of sample-data/lessons', lessons.length >= 3 &&
        listedLessons === lessons.sort().join(',') + ' ' + lessons.length, listedLessons);
  const step1 = await shot('11-lesson-step-1');
  await frameAfter(page, () => page.key('PageDown', 'PageDown', 34), 'PageDown');
  await sleep(300);
  const step2 = await shot('11-lesson-step-2');
  check('a lesson opens from its link, and PageDown goes to its next step', changed(step1, step2) > 500,
        changed(step1, step2) + ' pixels changed');

  /* Q closes the picture; the page offers the recordings again */
  const ok = () => true, no = () => false;
  await page.key('KeyQ', 'q', 81);
  const closed = await page.waitFor('walviz.state === "closed" && !document.getElementById("list").hidden',
                                    5000).then(ok, no);
  await page.eval(clickIntro);
  const reopened = await page.waitFor('walviz.state === "opened" && walviz.name === "intro.wvr"', 10000).then(ok, no);
  check('Q closes the picture, and the list opens the next', closed && reopened,
        'closed: ' + closed + ', intro opened after: ' + reopened);

  /* opened from disk instead of a server */
  await page.send('Page.navigate', { url: 'file://' + path.resolve(site, 'index.html') });
  const disk = await page.waitFor('location.protocol === "file:" && document.getElementById("message") && document.getElementById("message").textContent', 10000, 'the file:// message');
  check('opened from disk, the page says it needs a web server', /web server/.test(disk), JSON.stringify(disk));

  /* high-density screens: the canvas has device pixels */
  await openPage(page, base, '#sample=shop', 2);
  await page.waitFor('walviz.state === "opened" && walviz.frames > 0', 20000, 'shop to open at 2x');
  const hd = await page.eval('[canvas.width, canvas.height, canvas.clientWidth].join(",")');
  const hdShot = await shot('8-shop-hidpi-2x');
  check('on a 2x screen the canvas has twice the pixels', hd === [2 * W, 2 * (H - BAR), W].join(',') &&
        hdShot.width === 2 * W && looks(hdShot).lit > 0.1, hd);
}

/* A browser with WebGL turned off: SDL falls back to drawing in software
 * on a 2D canvas. */
async function checkNoWebGL(base, out) {
  const browser = launch({ width: W, height: H, args: ['--disable-webgl', '--disable-3d-apis'] });
  try {
    const page = await browser.newPage();
    await openPage(page, base, '#sample=intro');
    await page.waitFor('walviz.state === "opened" && walviz.frames > 0', 20000, 'intro without WebGL');
    const gl = await page.eval('!!document.createElement("canvas").getContext("webgl")');
    const s = await frameAfter(page, () => page.key('ArrowRight', 'ArrowRight', 39), 'Right');
    const img = await page.screenshot(path.join(out, '10-intro-without-webgl.png'));
    const l = looks(img);
    check('without WebGL the picture is drawn all the same', !gl && s.now_us > 0 && l.colours > 50 && l.lit > 0.1,
          'WebGL ' + (gl ? 'on' : 'off') + ', ' + l.colours + ' colours, ' + (l.lit * 100).toFixed(0) + '% lit');
  } finally {
    await browser.close();
  }
}

async function pick(page, file) {
  const { root } = await page.send('DOM.getDocument', {});
  const { nodeId } = await page.send('DOM.querySelector', { nodeId: root.nodeId, selector: '#picker' });
  await page.send('DOM.setFileInputFiles', { nodeId, files: [file] });
}

async function bench(base, site) {
  console.log('== web ==');
  const kb = (n) => (n / 1024).toFixed(0) + ' kB';
  let total = 0, totalGz = 0;
  for (const f of ['walviz.wasm', 'walviz.js', 'walviz.data', 'index.html', 'walviz-page.js', 'walviz-page.css']) {
    const data = fs.readFileSync(path.join(site, f));
    const gz = zlib.gzipSync(data, { level: 9 }).length;
    total += data.length;
    totalGz += gz;
    console.log('web: ' + f.padEnd(16) + kb(data.length).padStart(8) + ' (' + kb(gz) + ' gzipped)');
  }
  console.log('web: program and page  ' + kb(total).padStart(8) + ' (' + kb(totalGz) + ' gzipped), samples apart');
  /* each sample in a browser of its own: nothing cached, as a student's first visit */
  for (const s of readSamples(site)) {
    const browser = launch({ width: W, height: H });
    try {
      const page = await browser.newPage();
      await openPage(page, base, '#sample=' + s.name.replace(/\.wvr$/, ''));
      await page.waitFor('walviz.state === "opened" && walviz.firstPictureMs !== null', 30000, s.name);
      const st = await page.eval('JSON.parse(JSON.stringify(walviz))');
      await page.key('Space', ' ', 32);
      await sleep(300);
      const f0 = await page.eval('walviz.frames');
      await sleep(3000);
      const f1 = await page.eval('walviz.frames');
      console.log('web: ' + s.name.padEnd(28) + ' first picture ' + (st.firstPictureMs / 1000).toFixed(2) +
                  ' s after the page opened (' + st.messages + ' messages); ' + ((f1 - f0) / 3).toFixed(0) +
                  ' frames/s playing at ' + W + 'x' + (H - BAR));
    } finally {
      await browser.close();
    }
  }
}

async function main() {
  const args = process.argv.slice(2);
  const benchMode = args[0] === '--bench';
  if (benchMode) args.shift();
  let [site, out] = args;
  if (!site || !out || !fs.existsSync(path.join(site, 'walviz.wasm'))) {
    console.error('usage: node web/check.js [--bench] SITE-DIR OUT-DIR (make web builds SITE-DIR)');
    process.exit(2);
  }
  fs.mkdirSync(out, { recursive: true });
  out = path.resolve(out); /* the browser reads files by absolute path */
  for (const f of fs.readdirSync(out)) /* only this run's pictures */
    if (f.endsWith('.png')) fs.unlinkSync(path.join(out, f));
  const server = await new Promise((resolve) => serve(site, 0, (srv, port) => resolve({ srv, port })));
  const base = 'http://127.0.0.1:' + server.port + '/';
  const browser = benchMode ? null : launch({ width: W, height: H });
  /* never hang: the whole run has a limit */
  const limit = setTimeout(() => { console.error('web-check: gave up after 180 s'); process.exit(1); }, 180000);
  let error = null;
  try {
    if (benchMode) await bench(base, site);
    else {
      await checks(browser, base, site, out);
      await checkNoWebGL(base, out);
    }
  } catch (e) {
    error = e;
  }
  if (browser) await browser.close();
  server.srv.close();
  clearTimeout(limit);
  if (error) check('web-check ran to the end', false, error.message);
  if (!benchMode) {
    console.log('pictures in ' + out);
    console.log(passed + ' passed, ' + failed + ' failed');
  }
  process.exit(failed ? 1 : 0);
}

main();
