/* A small client of Chromium's DevTools protocol over --remote-debugging-pipe
 * (JSON messages ended by NUL on file descriptors 3 and 4), and a PNG
 * reader for its screenshots: what web/check.js needs, with no npm
 * packages. Chromium's one-shot --screenshot draws WebGL black, so the
 * page is driven and photographed through the protocol instead. */
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const zlib = require('zlib');

function findChromium() {
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    for (const dir of (process.env.PATH || '').split(':')) {
      const p = path.join(dir, name);
      if (dir && fs.existsSync(p)) return p;
    }
  }
  return null;
}

/* Starts headless Chromium; resolves to a browser with send(method,
 * params, sessionId) and close(). WebGL through SwiftShader (no GPU). */
function launch(opts) {
  const exe = opts.chromium || findChromium();
  if (!exe) throw new Error('no chromium on PATH (make web-check installs Debian\'s)');
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'walviz-chromium-'));
  const args = [
    '--headless=new', '--remote-debugging-pipe', '--no-first-run', '--no-default-browser-check',
    '--enable-unsafe-swiftshader', '--use-angle=swiftshader', '--ignore-gpu-blocklist',
    '--disable-background-timer-throttling', '--disable-renderer-backgrounding',
    '--disable-backgrounding-occluded-windows', '--disable-dev-shm-usage', '--mute-audio', '--user-data-dir=' + profile,
    '--window-size=' + (opts.width || 1280) + ',' + (opts.height || 800)
  ];
  if (process.getuid && process.getuid() === 0) args.push('--no-sandbox');
  args.push(...(opts.args || []));
  /* its own process group, so that its helpers end with it */
  const child = spawn(exe, args, { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'], detached: true });
  /* never leave a browser behind, even when the caller gives up */
  const cleanup = () => {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch (e) { /* already gone */ }
    try {
      fs.rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    } catch (e) {
      console.error('walviz: could not remove ' + profile + ': ' + e.message);
    }
  };
  process.on('exit', cleanup);
  let stderr = '';
  child.stderr.on('data', (d) => { stderr = (stderr + d).slice(-4000); });
  const out = child.stdio[3], input = child.stdio[4];
  let nextId = 1, buf = Buffer.alloc(0);
  const waiting = new Map();
  const listeners = [];
  let exited = null;

  input.on('data', (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    let end;
    while ((end = buf.indexOf(0)) >= 0) {
      const msg = JSON.parse(buf.subarray(0, end).toString('utf8'));
      buf = buf.subarray(end + 1);
      if (msg.id && waiting.has(msg.id)) {
        const w = waiting.get(msg.id);
        waiting.delete(msg.id);
        if (msg.error) w.reject(new Error(w.method + ': ' + msg.error.message));
        else w.resolve(msg.result);
      } else if (msg.method) {
        listeners.forEach((l) => l(msg));
      }
    }
  });
  child.on('exit', (code, sig) => {
    exited = new Error('chromium exited (' + (sig || code) + '): ' + stderr.trim().split('\n').slice(-3).join(' | '));
    waiting.forEach((w) => w.reject(exited));
    waiting.clear();
  });

  const browser = {
    send(method, params, sessionId) {
      if (exited) return Promise.reject(exited);
      const id = nextId++;
      const msg = { id, method, params: params || {} };
      if (sessionId) msg.sessionId = sessionId;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject, method });
        out.write(JSON.stringify(msg) + '\0');
      });
    },
    on(fn) { listeners.push(fn); },
    async close() {
      if (!exited) {
        const gone = new Promise((r) => child.once('exit', r));
        browser.send('Browser.close').catch(() => {});
        const timer = setTimeout(() => process.kill(-child.pid, 'SIGKILL'), 5000);
        await gone;
        clearTimeout(timer);
      }
      process.removeListener('exit', cleanup);
      cleanup();
    },
    /* A new tab with its own session: page.send(method, params). */
    async newPage() {
      const { targetId } = await browser.send('Target.createTarget', { url: 'about:blank' });
      const { sessionId } = await browser.send('Target.attachToTarget', { targetId, flatten: true });
      const page = {
        sessionId,
        send: (m, p) => browser.send(m, p, sessionId),
        async eval(expr) {
          const r = await page.send('Runtime.evaluate', { expression: expr, returnByValue: true, awaitPromise: true });
          if (r.exceptionDetails) throw new Error('page: ' + (r.exceptionDetails.exception ? r.exceptionDetails.exception.description : r.exceptionDetails.text));
          return r.result.value;
        },
        /* Polls expr until it is truthy; its value, or an error after ms. */
        async waitFor(expr, ms, what) {
          const end = Date.now() + ms;
          for (;;) {
            const v = await page.eval(expr);
            if (v) return v;
            if (Date.now() > end) throw new Error('timed out after ' + ms + ' ms waiting for ' + (what || expr));
            await sleep(25);
          }
        },
        /* Waits for two of the page's frames, so the last picture drawn
         * has reached the screen, then photographs it. */
        async screenshot(file) {
          await page.eval('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
          const r = await page.send('Page.captureScreenshot', { format: 'png' });
          const png = Buffer.from(r.data, 'base64');
          if (file) fs.writeFileSync(file, png);
          return readPng(png);
        },
        /* A key held for 60 ms, as a finger does: a program that answers a
         * key in its next frame may act in the key-up's handler (SDL asks
         * for fullscreen there). modifiers 8: with Shift, pressed first as
         * a person does (SDL follows Shift's own key events). */
        async key(code, key, keyCode, modifiers) {
          const shift = { code: 'ShiftLeft', key: 'Shift', windowsVirtualKeyCode: 16, nativeVirtualKeyCode: 16, modifiers: 8 };
          const base = { code, key, windowsVirtualKeyCode: keyCode, nativeVirtualKeyCode: keyCode,
                         modifiers: modifiers || 0 };
          if (modifiers & 8) await page.send('Input.dispatchKeyEvent', Object.assign({ type: 'rawKeyDown' }, shift));
          await page.send('Input.dispatchKeyEvent', Object.assign({ type: 'rawKeyDown' }, base));
          await sleep(60);
          await page.send('Input.dispatchKeyEvent', Object.assign({ type: 'keyUp' }, base));
          if (modifiers & 8) await page.send('Input.dispatchKeyEvent', Object.assign({ type: 'keyUp' }, shift, { modifiers: 0 }));
        },
        async click(x, y) {
          const base = { x, y, button: 'left', clickCount: 1 };
          await page.send('Input.dispatchMouseEvent', Object.assign({ type: 'mouseMoved' }, base));
          await page.send('Input.dispatchMouseEvent', Object.assign({ type: 'mousePressed' }, base));
          await page.send('Input.dispatchMouseEvent', Object.assign({ type: 'mouseReleased' }, base));
        }
      };
      await page.send('Page.enable');
      await page.send('Runtime.enable');
      return page;
    }
  };
  return browser;
}

function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }

/* Decodes an 8-bit, non-interlaced RGB or RGBA PNG (what Chromium writes)
 * into { width, height, rgba }. */
function readPng(buf) {
  if (buf.readUInt32BE(0) !== 0x89504e47) throw new Error('not a PNG');
  let pos = 8, width = 0, height = 0, type = 0;
  const idat = [];
  while (pos < buf.length) {
    const len = buf.readUInt32BE(pos);
    const kind = buf.toString('ascii', pos + 4, pos + 8);
    const data = buf.subarray(pos + 8, pos + 8 + len);
    if (kind === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      type = data[9];
      if (data[8] !== 8 || (type !== 2 && type !== 6) || data[12] !== 0)
        throw new Error('unsupported PNG (depth ' + data[8] + ', type ' + type + ')');
    } else if (kind === 'IDAT') {
      idat.push(data);
    }
    pos += 12 + len;
  }
  const bpp = type === 6 ? 4 : 3, stride = width * bpp;
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const rgba = Buffer.alloc(width * height * 4);
  let prev = Buffer.alloc(stride), cur = Buffer.alloc(stride);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? cur[i - bpp] : 0, b = prev[i], c = i >= bpp ? prev[i - bpp] : 0;
      let p;
      if (f === 0) p = 0;
      else if (f === 1) p = a;
      else if (f === 2) p = b;
      else if (f === 3) p = (a + b) >> 1;
      else {
        const pa = Math.abs(b - c), pb = Math.abs(a - c), pc = Math.abs(a + b - 2 * c);
        p = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      cur[i] = (line[i] + p) & 255;
    }
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      rgba[o] = cur[x * bpp];
      rgba[o + 1] = cur[x * bpp + 1];
      rgba[o + 2] = cur[x * bpp + 2];
      rgba[o + 3] = bpp === 4 ? cur[x * bpp + 3] : 255;
    }
    [prev, cur] = [cur, prev];
  }
  return { width, height, rgba };
}

module.exports = { launch, readPng, sleep };
