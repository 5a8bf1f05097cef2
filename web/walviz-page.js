/* The page around walviz's browser build (src/cmd/web_main.c): the recordings
 * list read from the samples' README table, the file picker and drag and
 * drop, #sample= links, the status line and the error banner. The replay
 * itself, keys and clicks included, is the C program on the canvas.
 *
 * window.walviz is what the page knows, for people and for make web-check:
 * state (loading, ready, opened, failed, closed), name, messages, errors
 * (the lines the loader reported), now_us, playing, selected, frames, and
 * firstPictureMs (since the page started to load). */
'use strict';

var walviz = {
  state: 'loading', name: '', messages: 0, errors: [], now_us: 0, playing: false,
  selected: -1, frames: 0, firstPictureMs: null, openedAtMs: null, samples: [], lessons: []
};

(function () {
  var $ = function (id) { return document.getElementById(id); };
  var canvas = $('canvas');
  var ready = false;      /* the program waits for a file */
  var queued = null;      /* an open asked for before it was ready: run once it is */
  var loadErrors = [];    /* stderr lines since the last open */
  var seq = 0;
  var MAX_FILE = 256 * 1048576; /* the file, its copy and the simulation share a 2 GB heap */
  var fatal = false;      /* said why walviz cannot run here: keep that on screen */

  function status(text) { $('status').textContent = text; }

  function banner(text, warning) {
    var m = $('message');
    m.textContent = text;
    m.className = warning ? 'warning' : '';
    m.hidden = !text;
  }

  function showList(show) { $('list').hidden = !show; }

  /* Simulation options as walviz replay's: {latency: '20ms,2s'} into the
   * NAME=VALUE lines web_main reads. */
  function optionLines(opts) {
    return Object.keys(opts).map(function (k) { return k + '=' + opts[k]; }).join('\n');
  }

  function describe(opts) {
    var s = Object.keys(opts).map(function (k) { return '--' + k + ' ' + opts[k]; }).join(' ');
    return s ? ' (' + s + ')' : '';
  }

  /* Hands the bytes to the program; it replaces what the canvas shows. */
  function openBytes(name, bytes, opts) {
    if (!ready) {
      queued = function () { openBytes(name, bytes, opts); };
      status('Loading walviz… then ' + name);
      return;
    }
    /* a folder each, so the window's title is the file's own name */
    var dir = '/recordings/' + (++seq);
    var path = dir + '/' + (name.replace(/[\/\x00-\x1f]/g, '_').slice(-200) || 'recording');
    try { Module.FS.mkdir('/recordings'); } catch (e) { /* exists */ }
    Module.FS.mkdir(dir);
    Module.FS.writeFile(path, bytes);
    startOpen(name, describe(opts), path, optionLines(opts));
  }

  /* Clears the last file's errors and asks the program to open path. */
  function startOpen(name, described, path, options) {
    loadErrors = [];
    banner('');
    walviz.state = 'opening';
    walviz.name = name;
    walviz.openedAtMs = performance.now();
    walviz.firstPictureMs = null;
    status('Opening ' + name + described + '…');
    if (Module.ccall('wv_web_open', 'number', ['string', 'string'], [path, options]) < 0)
      fail('the name or the options are too long');
  }

  function fail(text) {
    if (fatal) return;
    walviz.state = 'failed';
    var more = loadErrors.filter(function (l) { return l !== 'walviz: ' + text; }).slice(0, 8);
    banner(text + (more.length ? '\n' + more.join('\n') : ''));
    status('Pick a recording.');
    showList(true);
  }

  function openSample(name, opts) {
    var file = /\.wvr$/.test(name) ? name : name + '.wvr';
    if (!/^[A-Za-z0-9._-]+$/.test(file)) {
      fail('"' + name + '" is not a sample name');
      return;
    }
    walviz.state = 'fetching';
    status('Fetching ' + file + '…');
    fetch('samples/' + file).then(function (r) {
      if (!r.ok) throw new Error('there is no sample ' + file + ' (' + r.status + ')');
      return r.arrayBuffer();
    }).then(function (buf) {
      openBytes(file, new Uint8Array(buf), opts);
    }).catch(function (e) { fail(e.message); });
  }

  /* "a/b/../c" as "a/c": where a lesson's recording lands beside it. */
  function normalize(path) {
    var out = [];
    path.split('/').forEach(function (part) {
      if (part === '..') out.pop();
      else if (part && part !== '.') out.push(part);
    });
    return '/' + out.join('/');
  }

  /* A lesson and the recording its header names, into the program's
   * files as they lie in sample-data (the recording beside the lessons
   * folder), then opened as walviz lesson would. */
  function openLesson(name) {
    var file = /\.lesson$/.test(name) ? name : name + '.lesson';
    if (!/^[A-Za-z0-9._-]+$/.test(file)) {
      fail('"' + name + '" is not a lesson name');
      return;
    }
    walviz.state = 'fetching';
    status('Fetching ' + file + '…');
    var url = new URL('samples/lessons/' + file, location.href), text;
    fetch(url).then(function (r) {
      if (!r.ok) throw new Error('there is no lesson ' + file + ' (' + r.status + ')');
      return r.text();
    }).then(function (t) {
      text = t;
      var m = /^\s*recording\s*=\s*(\S+)/m.exec(t);
      if (!m) throw new Error(file + ' names no recording');
      return fetch(new URL(m[1], url)).then(function (r) {
        if (!r.ok) throw new Error(file + ': its recording ' + m[1] + ' is missing (' + r.status + ')');
        return r.arrayBuffer().then(function (buf) { return [m[1], new Uint8Array(buf)]; });
      });
    }).then(function (rec) {
      if (!ready) { /* the program is still loading: when it is ready */
        queued = function () { writeLesson(file, text, rec); };
        status('Loading walviz… then ' + file);
        return;
      }
      writeLesson(file, text, rec);
    }).catch(function (e) { fail(e.message); });
  }

  /* The lesson and its recording into the program's files, then opened. */
  function writeLesson(file, text, rec) {
    var dir = '/recordings/' + (++seq), lesson = dir + '/lessons/' + file;
    var recording = normalize(dir + '/lessons/' + rec[0]);
    try { Module.FS.mkdir('/recordings'); } catch (e) { /* exists */ }
    [dir, dir + '/lessons', recording.slice(0, recording.lastIndexOf('/'))].forEach(function (d) {
      try { Module.FS.mkdir(d); } catch (e) { /* exists */ }
    });
    Module.FS.writeFile(recording, rec[1]);
    Module.FS.writeFile(lesson, new TextEncoder().encode(text));
    startOpen(file, '', lesson, '');
  }

  /* samples/lessons/index.txt: one lesson a line; each listed with the
   * first line of its first caption. */
  function buildLessons(index) {
    var body = document.querySelector('#lessons tbody');
    index.split('\n').filter(function (n) { return /^[A-Za-z0-9._-]+\.lesson$/.test(n.trim()); })
      .forEach(function (n) {
        var name = n.trim();
        walviz.lessons.push(name);
        var tr = document.createElement('tr');
        var td = [document.createElement('td'), document.createElement('td')];
        var b = document.createElement('button');
        b.type = 'button';
        b.textContent = name.replace(/\.lesson$/, '');
        b.addEventListener('click', function () {
          var hash = '#lesson=' + name.replace(/\.lesson$/, '');
          if (location.hash === hash) openFromLocation();
          else location.hash = hash;
        });
        td[0].appendChild(b);
        fetch('samples/lessons/' + name).then(function (r) { return r.ok ? r.text() : ''; }).then(function (t) {
          var m = /^>\s?(.*)$/m.exec(t);
          td[1].textContent = m ? m[1] : '';
        });
        td.forEach(function (c) { tr.appendChild(c); });
        body.appendChild(tr);
      });
  }

  function openFile(file) {
    if (!file) return;
    if (file.size > MAX_FILE) {
      fail(file.name + ' is ' + Math.round(file.size / 1048576) + ' MB: a browser tab holds recordings up to ' +
           MAX_FILE / 1048576 + ' MB; replay it with walviz on a computer');
      return;
    }
    var reader = new FileReader();
    reader.onload = function () { openBytes(file.name, new Uint8Array(reader.result), {}); };
    reader.onerror = function () { fail('cannot read ' + file.name); };
    reader.readAsArrayBuffer(file);
  }

  /* #sample=bank&latency=20ms,2s, or the same as ?query. */
  function openFromLocation() {
    var text = location.hash.length > 1 ? location.hash.slice(1) : location.search.slice(1);
    var params = new URLSearchParams(text);
    if (params.get('lesson')) {
      openLesson(params.get('lesson'));
      return true;
    }
    var sample = params.get('sample');
    if (!sample) return false;
    var opts = {};
    params.forEach(function (v, k) { if (k !== 'sample') opts[k] = v; });
    openSample(sample, opts);
    return true;
  }

  /* "--sync remote_apply --sync-standbys 'FIRST 1 (f2)'" into options. */
  function parseOptions(text) {
    var words = text.match(/'[^']*'|"[^"]*"|\S+/g) || [];
    var opts = {}, name = null;
    words.forEach(function (w) {
      w = w.replace(/^['"]|['"]$/g, '');
      if (/^--/.test(w)) {
        var eq = w.indexOf('=');
        if (eq > 0) opts[w.slice(2, eq)] = w.slice(eq + 1);
        else name = w.slice(2);
      } else if (name) {
        opts[name] = w;
        name = null;
      }
    });
    return opts;
  }

  function inline(text, cell) {
    text.split('`').forEach(function (part, i) {
      if (i % 2) {
        var c = document.createElement('code');
        c.textContent = part;
        cell.appendChild(c);
      } else {
        cell.appendChild(document.createTextNode(part));
      }
    });
  }

  function linkFor(name, opts) {
    var p = new URLSearchParams(Object.assign({ sample: name.replace(/\.wvr$/, '') }, opts));
    return '#' + p.toString().replace(/%2C/g, ',');
  }

  /* The table of sample-data/README.md: | `x.wvr` | teaches | size | options | */
  function buildList(md) {
    var body = document.querySelector('#samples tbody');
    md.split('\n').forEach(function (line) {
      var cells = line.split('|').slice(1, -1).map(function (c) { return c.trim(); });
      var m = cells.length >= 4 && /^`([^`]+\.wvr)`$/.exec(cells[0]);
      if (!m) return;
      var name = m[1];
      walviz.samples.push(name);
      var tr = document.createElement('tr');
      var td = [0, 1, 2, 3].map(function () { return document.createElement('td'); });
      var b = document.createElement('button');
      b.type = 'button';
      b.textContent = name.replace(/\.wvr$/, '');
      b.addEventListener('click', function () {
        if (location.hash === linkFor(name, {})) openFromLocation();
        else location.hash = linkFor(name, {});
      });
      td[0].appendChild(b);
      inline(cells[1], td[1]);
      inline(cells[2], td[2]);
      (cells[3].match(/`[^`]+`/g) || []).forEach(function (code) {
        var opts = parseOptions(code.slice(1, -1));
        if (!Object.keys(opts).length) return;
        var a = document.createElement('a');
        a.href = linkFor(name, opts);
        a.textContent = code.slice(1, -1);
        td[3].appendChild(a);
        td[3].appendChild(document.createElement('br'));
      });
      if (!td[3].firstChild) inline(cells[3], td[3]);
      td.forEach(function (c) { tr.appendChild(c); });
      body.appendChild(tr);
    });
  }

  function seconds(us) { return (us / 1e6).toFixed(3) + ' s'; }

  window.Module = {
    canvas: canvas,
    print: function (line) { console.log(line); },
    printErr: function (line) {
      console.warn(line);
      /* the file's own name, not where the page put it */
      line = line.replace(/\/recordings\/\d+\//g, '');
      if (loadErrors.length < 1000) loadErrors.push(line);
      if (walviz.errors.length < 1000) walviz.errors.push(line);
    },
    wvEvent: function (kind, text, messages, errors) {
      if (kind === 'ready') {
        ready = true;
        if (walviz.state === 'loading') walviz.state = 'ready';
        status('Pick a recording.');
        var run = queued;
        queued = null;
        if (run) run();
      } else if (kind === 'opened') {
        walviz.state = 'opened';
        walviz.messages = messages;
        walviz.frames = 0;
        showList(false);
        canvas.focus();
        status(text + ': ' + messages + ' messages. Space plays, → steps, ? for keys.');
        if (errors > 0)
          banner(errors + ' message(s) of ' + text + ' could not be read; showing the rest.\n' +
                 loadErrors.slice(0, 8).join('\n'), true);
      } else if (kind === 'failed') {
        fail(text);
      } else if (kind === 'closed') {
        walviz.state = 'closed';
        status('Closed. Pick a recording.');
        showList(true);
      }
    },
    wvFrame: function (now, playing, selected) {
      walviz.frames++;
      walviz.now_us = now;
      walviz.playing = !!playing;
      walviz.selected = selected;
      if (walviz.firstPictureMs === null) walviz.firstPictureMs = performance.now();
      status(walviz.name + ' · ' + seconds(now) + (playing ? ' · playing' : ' · paused') +
             (selected >= 0 ? ' · packet ' + (selected + 1) + ' selected' : ''));
    },
    onAbort: function (what) {
      fail('walviz stopped (' + what + '); reload the page to go on');
      fatal = true;
    }
  };

  window.addEventListener('error', function (e) {
    if (walviz.state === 'loading') fail('this browser cannot run walviz: ' + e.message);
  });
  if (typeof WebAssembly !== 'object') {
    fail('this browser has no WebAssembly; walviz needs a browser from 2018 or later');
    fatal = true;
  }
  if (location.protocol === 'file:') {
    fail('browsers run walviz only from a web server, not from a file on disk: ' +
         'make web-serve, or put this folder on a web server');
    fatal = true;
  }

  $('picker').addEventListener('change', function (e) {
    openFile(e.target.files[0]);
    e.target.value = '';
  });
  $('message').addEventListener('click', function () { banner(''); });
  $('show-list').addEventListener('click', function () {
    showList($('list').hidden);
    if ($('list').hidden) canvas.focus();
  });
  /* A click on the bar's buttons leaves the keys with the picture: Space
   * then plays instead of pressing the button again. */
  Array.prototype.forEach.call(document.querySelectorAll('#bar button'), function (b) {
    b.addEventListener('mousedown', function (e) { e.preventDefault(); });
  });
  $('fullscreen').addEventListener('click', function () {
    var stage = $('stage');
    var ask = stage.requestFullscreen || stage.webkitRequestFullscreen; /* Safari before 16.4 */
    if (ask) Promise.resolve(ask.call(stage)).then(function () { canvas.focus(); }, function () {});
  });
  window.addEventListener('hashchange', openFromLocation);
  /* Leaving fullscreen, SDL can take the page's resize for one of the
   * fullscreen canvas and keep that size: tell it again once it is out. */
  document.addEventListener('fullscreenchange', function () {
    if (!document.fullscreenElement)
      setTimeout(function () { window.dispatchEvent(new Event('resize')); }, 150);
  });

  /* Drag and drop anywhere on the page. */
  var depth = 0;
  document.addEventListener('dragenter', function (e) { e.preventDefault(); depth++; $('drop').hidden = false; });
  document.addEventListener('dragleave', function () { if (--depth <= 0) { depth = 0; $('drop').hidden = true; } });
  document.addEventListener('dragover', function (e) { e.preventDefault(); });
  document.addEventListener('drop', function (e) {
    e.preventDefault();
    depth = 0;
    $('drop').hidden = true;
    openFile(e.dataTransfer.files[0]);
  });

  if (fatal) return;
  fetch('samples/README.md').then(function (r) { return r.text(); }).then(buildList)
    .catch(function () { banner('the list of samples could not be loaded', true); });
  fetch('samples/lessons/index.txt').then(function (r) { return r.ok ? r.text() : ''; }).then(buildLessons)
    .catch(function () { banner('the list of lessons could not be loaded', true); });
  openFromLocation();
})();
