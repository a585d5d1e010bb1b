// The live release page of `kubectl cutover dashboard`.
// State arrives over one Server-Sent Events stream (a snapshot, then each change); the page never
// polls. Everything from the API is put into the page as text nodes, never as HTML.
'use strict';

(function () {
  const token = new URLSearchParams(location.search).get('token') || '';
  const releases = new Map();   // "ns/name" -> Release as the API serves it
  const events = new Map();     // uid -> event view
  const notices = new Map();    // "ns/name" -> {ok, message, warnings}
  const busy = new Set();       // "ns/name" with an action in flight
  let scope = null;
  let eventsNote = null;
  let renderQueued = false;

  const TIMELINE_LIMIT = 40;
  const PHASE_CLASS = {
    Live: 'ok', Verifying: 'progress', Provisioning: 'progress', Switching: 'progress',
    Pending: 'idle', AwaitingPromotion: 'wait', Degraded: 'warn', Failed: 'bad', Deleting: 'idle',
  };

  // ------------------------------------------------------------------ DOM helpers

  /** An element; strings among the children become text nodes. */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    append(el, children);
    return el;
  }

  function append(el, children) {
    for (const c of children) {
      if (c === null || c === undefined || c === false) continue;
      if (Array.isArray(c)) append(el, c);
      else if (c instanceof Node) el.appendChild(c);
      else el.appendChild(document.createTextNode(String(c)));
    }
  }

  const key = (ns, name) => ns + '/' + name;
  const keyOf = (r) => key(r.metadata.namespace, r.metadata.name);
  const list = (v) => (Array.isArray(v) ? v : []);

  // ------------------------------------------------------------------ time

  function parseTime(s) {
    const t = Date.parse(s || '');
    return Number.isNaN(t) ? null : t;
  }

  function span(ms) {
    const s = Math.round(Math.abs(ms) / 1000);
    if (s < 60) return s + 's';
    const m = Math.floor(s / 60);
    if (m < 60) return m + 'm' + (m < 10 && s % 60 ? ' ' + (s % 60) + 's' : '');
    const hours = Math.floor(m / 60);
    if (hours < 48) return hours + 'h' + (m % 60 ? ' ' + (m % 60) + 'm' : '');
    return Math.floor(hours / 24) + 'd';
  }

  function relative(t) {
    const diff = t - Date.now();
    if (Math.abs(diff) < 1500) return 'now';
    return diff > 0 ? 'in ' + span(diff) : span(diff) + ' ago';
  }

  /** A time that keeps itself current ("in 4m", "12s ago"), the exact time on hover. */
  function time(s, prefix) {
    const t = parseTime(s);
    if (t === null) return h('span', { class: 'muted' }, s ? String(s) : '—');
    return h('time', { datetime: s, title: new Date(t).toISOString(), 'data-prefix': prefix || '' },
      (prefix || '') + relative(t));
  }

  function tick() {
    for (const el of document.querySelectorAll('time[datetime]')) {
      const t = parseTime(el.getAttribute('datetime'));
      if (t !== null) el.textContent = el.getAttribute('data-prefix') + relative(t);
    }
  }

  // ------------------------------------------------------------------ reading a Release

  function condition(r, type) {
    return list(r.status && r.status.conditions).find((c) => c.type === type) || null;
  }

  function isTrue(r, type) {
    const c = condition(r, type);
    return !!c && c.status === 'True';
  }

  function annotations(r) {
    return (r.metadata && r.metadata.annotations) || {};
  }

  function manual(r) {
    return !!(r.spec && r.spec.promotion && r.spec.promotion.mode === 'Manual');
  }

  function phaseOf(r) {
    return r.metadata.deletionTimestamp ? 'Deleting' : ((r.status && r.status.phase) || 'Pending');
  }

  /** An Event's message without its reason in front ("Promoted: moved ..." under Promoted). */
  function eventMessage(e) {
    const m = e.message || '';
    return e.reason && m.startsWith(e.reason + ': ') ? m.slice(e.reason.length + 2) : m;
  }

  /** What each button would do, or why it cannot. */
  function possibleActions(r) {
    const s = r.status || {};
    const spec = r.spec || {};
    const deleting = !!r.metadata.deletionTimestamp;
    const aborted = annotations(r)['cutover.dev/abort'] === String(r.metadata.generation);
    const serving = s.activeFleet && s.activeFleet.version;
    const promote = { action: 'promote', label: 'Promote ' + spec.version, version: spec.version };
    if (deleting) promote.why = 'the Release is being deleted';
    else if (!manual(r)) promote.why = 'Auto promotion: the fleet is promoted as soon as it is verified';
    else if (spec.promotion.approvedVersion === spec.version) promote.why = spec.version + ' is already approved';
    else if (serving === spec.version && !s.stagingFleet) promote.why = spec.version + ' already serves';
    const abort = { action: 'abort', label: 'Abort' };
    if (deleting) abort.why = 'the Release is being deleted';
    else if (aborted) abort.why = spec.version + ' is already aborted';
    else if (!s.stagingFleet && serving === spec.version) abort.why = 'nothing is staged';
    const prev = s.previousFleet;
    const undo = { action: 'undo', label: prev && prev.version ? 'Undo to ' + prev.version : 'Undo' };
    if (deleting) undo.why = 'the Release is being deleted';
    else if (!prev || !prev.version || list(prev.instanceIds).length === 0) undo.why = 'no previous fleet is retained';
    else if (prev.version === spec.version) undo.why = 'already switching back to ' + prev.version;
    // Auto releases are promoted by their checks: no button for what never applies.
    return manual(r) ? [promote, abort, undo] : [abort, undo];
  }

  function confirmation(r, a) {
    const s = r.status || {};
    const name = r.metadata.name;
    const serving = s.activeFleet ? s.activeFleet.version : 'nothing';
    if (a.action === 'promote') {
      const verified = s.stagingFleet && s.stagingFleet.version === a.version && s.stagingFleet.verifiedAt;
      return {
        title: 'Promote ' + name + ' to ' + a.version + '?',
        text: verified
          ? 'The verified fleet of ' + a.version + ' receives the Elastic IP now; ' + serving
            + ' is kept for switching back.'
          : a.version + ' is approved: its fleet receives the Elastic IP once it is verified.',
        ok: 'Promote',
      };
    }
    if (a.action === 'abort') {
      return {
        title: 'Abort ' + (r.spec.version) + ' of ' + name + '?',
        text: 'The staging fleet is terminated. Production (' + serving + ') stays as it is until '
          + 'the spec changes.',
        ok: 'Abort',
        danger: true,
      };
    }
    return {
      title: 'Switch ' + name + ' back to ' + s.previousFleet.version + '?',
      text: 'The Elastic IP moves back to the retained fleet ' + s.previousFleet.id
        + ' in one call; nothing is launched. ' + serving + ' stops serving.',
      ok: 'Switch back',
      danger: true,
    };
  }

  // ------------------------------------------------------------------ rendering

  function render() {
    renderQueued = false;
    const main = document.getElementById('releases');
    const filter = document.getElementById('filter').value.trim().toLowerCase();
    const shown = [...releases.values()]
      .filter((r) => !filter || keyOf(r).toLowerCase().includes(filter)
        || String((r.status || {}).phase || '').toLowerCase().includes(filter))
      .sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
    const cards = shown.map(card);
    main.replaceChildren(...cards);
    if (shown.length === 0) {
      main.appendChild(h('div', { class: 'empty' },
        releases.size === 0
          ? ['No Releases in ', scope ? scope.description : 'view', ' yet. ',
            h('code', {}, 'kubectl apply -f deploy/samples/release-minimal.yaml'), ' makes one.']
          : 'No Release matches the filter.'));
    }
    renderHeader();
  }

  function queueRender() {
    if (!renderQueued) {
      renderQueued = true;
      setTimeout(render, 30);
    }
  }

  function renderHeader() {
    const el = document.getElementById('scope');
    if (!scope) return;
    el.replaceChildren(
      h('strong', {}, String(releases.size), releases.size === 1 ? ' release' : ' releases'),
      ' in ', scope.description,
      scope.context ? h('span', { class: 'muted' }, ' · context ', scope.context) : null,
      scope.server ? h('span', { class: 'muted' }, ' · ', scope.server) : null);
    const notes = [scope.note, eventsNote].filter(Boolean);
    const note = document.getElementById('note');
    note.hidden = notes.length === 0;
    note.replaceChildren(...notes.map((n) => h('div', {}, n)));
  }

  function card(r) {
    const k = keyOf(r);
    const s = r.status || {};
    const spec = r.spec || {};
    const phase = phaseOf(r);
    const stale = s.observedGeneration !== undefined && s.observedGeneration !== r.metadata.generation;
    const ready = condition(r, 'Ready');
    const stalled = isTrue(r, 'Stalled') ? condition(r, 'Stalled') : null;
    return h('section', { class: 'release', 'data-release': k, 'data-phase': phase },
      h('div', { class: 'release-head' },
        h('div', { class: 'title' },
          h('span', { class: 'ns' }, r.metadata.namespace, ' / '),
          h('span', { class: 'name' }, r.metadata.name),
          h('span', { class: 'phase ' + (PHASE_CLASS[phase] || 'idle'), 'data-field': 'phase' }, phase),
          spec.paused ? h('span', { class: 'phase warn' }, 'Paused') : null,
          h('span', { class: 'version', 'data-field': 'version', title: 'spec.version' }, spec.version),
          stale ? h('span', { class: 'muted small' }, ' (reconciling generation ', String(r.metadata.generation), ')') : null),
        h('div', { class: 'actions' }, possibleActions(r).map((a) => actionButton(r, a)))),
      summary(r, ready, stalled),
      notice(k),
      h('div', { class: 'release-body' },
        h('div', { class: 'left' },
          fleets(r),
          addresses(r),
          problems(r),
          gates(r),
          conditions(r)),
        h('div', { class: 'right' }, timeline(r))));
  }

  function summary(r, ready, stalled) {
    const spec = r.spec || {};
    const facts = [];
    facts.push((manual(r) ? 'Manual' : 'Auto') + ' promotion');
    if (manual(r) && spec.promotion.approvedVersion) facts.push('approved ' + spec.promotion.approvedVersion);
    const size = (r.status && r.status.size) || spec.fleetSize;
    if (size) facts.push(size + (size === 1 ? ' instance' : ' instances') + ' per fleet');
    if (spec.retention && spec.retention.previousFleetTTL) facts.push('keeps the previous fleet ' + spec.retention.previousFleetTTL);
    if (spec.verification && spec.verification.deadline) facts.push('deadline ' + spec.verification.deadline);
    return h('div', { class: 'summary' },
      stalled ? h('div', { class: 'message bad' }, h('strong', {}, 'Stalled: ', stalled.reason || ''), ' ', stalled.message || '') : null,
      ready && ready.message ? h('div', { class: 'message', 'data-field': 'ready' }, ready.message) : null,
      h('div', { class: 'facts muted' }, facts.join(' · ')));
  }

  function actionButton(r, a) {
    const k = keyOf(r);
    const disabled = !!a.why || busy.has(k);
    return h('button', {
      type: 'button',
      class: a.action === 'promote' ? 'primary' : 'secondary',
      'data-action': a.action,
      disabled,
      title: a.why || '',
      onclick: () => ask(r, a),
    }, a.label);
  }

  function notice(k) {
    const n = notices.get(k);
    if (!n) return null;
    return h('div', { class: 'notice ' + (n.ok ? 'ok' : 'bad'), 'data-field': 'notice', role: 'status' },
      h('button', { type: 'button', class: 'close', title: 'Dismiss', onclick: () => { notices.delete(k); queueRender(); } }, '×'),
      h('div', {}, n.message),
      list(n.warnings).map((w) => h('div', { class: 'warning' }, '⚠ ', w)));
  }

  function fleets(r) {
    const s = r.status || {};
    const eipByInstance = new Map();
    for (const a of addressList(r)) {
      if (a.instanceId) eipByInstance.set(a.instanceId, (eipByInstance.get(a.instanceId) || []).concat(a.publicIp || a.allocationId));
    }
    const pointer = (id) => (eipByInstance.has(id)
      ? h('span', { class: 'eip', title: 'Elastic IP' }, '← ', eipByInstance.get(id).join(', '))
      : null);
    const active = s.activeFleet
      ? fleet('Active', 'active', s.activeFleet.version, s.activeFleet.id, [
        h('div', { class: 'line' }, 'live since ', time(s.activeFleet.since)),
        s.activeFleet.instanceTypes ? h('div', { class: 'line muted' },
          Object.entries(s.activeFleet.instanceTypes).map(([t, n]) => n + '× ' + t).join(', ')) : null,
        h('ul', { class: 'instances' }, list(s.activeFleet.instanceIds).map((id) =>
          h('li', {}, h('code', {}, id), ' ', pointer(id))))])
      : fleet('Active', 'active', null, null, [h('div', { class: 'muted' }, 'nothing serves yet')]);
    const st = s.stagingFleet;
    const staging = st
      ? fleet('Staging', 'staging', st.version, st.id, [
        h('div', { class: 'line' }, 'launched ', time(st.startedAt)),
        st.verifiedAt ? h('div', { class: 'line ok-text' }, 'verified ', time(st.verifiedAt))
          : st.deadline ? h('div', { class: 'line' }, 'deadline ', time(st.deadline)) : null,
        stagingInstances(st, pointer)])
      : fleet('Staging', 'staging', null, null, [h('div', { class: 'muted' }, 'nothing staged')]);
    const p = s.previousFleet;
    const retained = p
      ? fleet('Retained', 'retained', p.version, p.id, [
        p.expiresAt ? h('div', { class: 'line' }, 'kept until ', time(p.expiresAt)) : null,
        h('ul', { class: 'instances' }, list(p.instanceIds).map((id) => h('li', {}, h('code', {}, id), ' ', pointer(id))))])
      : fleet('Retained', 'retained', null, null, [h('div', { class: 'muted' }, 'none')]);
    const held = list(s.heldFleets).map((f) => fleet('Held', 'held', f.version, f.id, [
      h('div', { class: 'line' }, f.reason || '', f.until ? ' · until ' : '', f.until ? time(f.until) : null),
      h('ul', { class: 'instances' }, list(f.instanceIds).map((id) => h('li', {}, h('code', {}, id))))]));
    return h('div', { class: 'fleets' }, active, staging, retained, held);
  }

  function fleet(title, cls, version, id, body) {
    return h('div', { class: 'fleet ' + cls + (version ? '' : ' empty-fleet'), 'data-fleet': cls },
      h('div', { class: 'fleet-head' },
        h('span', { class: 'fleet-title' }, title),
        version ? h('span', { class: 'fleet-version', 'data-field': cls + '-version' }, version) : null,
        id ? h('code', { class: 'fleet-id', title: 'fleet id' }, id) : null),
      body);
  }

  function stagingInstances(st, pointer) {
    const rows = list(st.instances);
    if (rows.length === 0) return h('div', { class: 'muted' }, 'no instances yet');
    const roles = rows.some((i) => i.role);
    return h('table', { class: 'grid' },
      h('thead', {}, h('tr', {}, roles ? h('th', {}, 'role') : null, h('th', {}, 'slot'),
        h('th', {}, 'instance'), h('th', {}, 'state'), h('th', {}, 'checks'))),
      h('tbody', {}, rows.map((i) => h('tr', {},
        roles ? h('td', {}, i.role || '') : null,
        h('td', {}, i.slot === undefined ? '' : String(i.slot)),
        h('td', {}, h('code', {}, i.id || ''), ' ', pointer(i.id),
          i.privateIp ? h('div', { class: 'muted' }, i.privateIp) : null),
        h('td', {}, h('span', { class: 'state ' + (i.state || '') }, i.state || '')),
        h('td', { class: 'checks' }, i.checks || '')))));
  }

  function addressList(r) {
    const s = r.status || {};
    if (list(s.addresses).length > 0) return s.addresses;
    return s.elasticIp ? [s.elasticIp] : [];
  }

  function addresses(r) {
    const all = addressList(r);
    if (all.length === 0) return null;
    return section('Elastic IPs', h('table', { class: 'grid' },
      h('tbody', {}, all.map((a) => h('tr', {},
        h('td', {}, h('strong', {}, a.publicIp || '—')),
        h('td', { class: 'muted' }, a.role ? a.role + (a.index !== undefined ? ' #' + a.index : '') : ''),
        h('td', {}, h('code', {}, a.allocationId || '')),
        h('td', {}, a.instanceId ? ['→ ', h('code', {}, a.instanceId)] : h('span', { class: 'muted' }, 'points at nothing')),
        h('td', {}, a.version || ''))))));
  }

  function problems(r) {
    const s = r.status || {};
    const items = [];
    if (s.lastFailure) {
      const f = s.lastFailure;
      items.push(h('div', { class: 'message bad' }, h('strong', {}, 'Failed ', f.version || '', ': ', f.reason || ''), ' ',
        f.message || '', ' ', f.at ? time(f.at) : null, f.keptUntil ? [' · kept until ', time(f.keptUntil)] : null));
    }
    for (const e of list(s.errors)) {
      items.push(h('div', { class: 'message warn' }, h('strong', {}, e.operation || e.action || '', ': ', e.code || ''), ' ',
        e.message || '', e.attempts ? ' (' + e.attempts + '×)' : '', e.retryAt ? [' · retry ', time(e.retryAt)] : null));
    }
    if (s.intent && s.intent.kind) {
      items.push(h('div', { class: 'message' }, 'In progress: ', s.intent.kind, ' ', s.intent.fromVersion || '', ' → ',
        s.intent.toVersion || '', ' (', s.intent.reason || '', ')'));
    }
    return items.length ? h('div', { class: 'problems' }, items) : null;
  }

  function gates(r) {
    const s = r.status || {};
    const parts = [];
    if (list(s.metrics).length > 0) {
      parts.push(section('Metric checks', h('table', { class: 'grid' },
        h('thead', {}, h('tr', {}, ['check', 'stage', 'state', 'passed / failed', 'last value', 'measured'].map((t) => h('th', {}, t)))),
        h('tbody', {}, s.metrics.map((m) => h('tr', {},
          h('td', {}, m.name || ''), h('td', {}, m.stage || ''),
          h('td', {}, h('span', { class: 'state ' + String(m.state || '').toLowerCase() }, m.state || '')),
          h('td', {}, String(m.successes || 0), ' / ', String(m.failures || 0)),
          h('td', {}, m.lastValue !== undefined ? String(m.lastValue) : (m.lastError || '')),
          h('td', {}, m.measuredAt ? time(m.measuredAt) : '')))))));
    }
    if (list(s.hooks).length > 0) {
      parts.push(section('Hooks', h('table', { class: 'grid' },
        h('thead', {}, h('tr', {}, ['event', 'version', 'outcome', 'calls', 'answer', 'when'].map((t) => h('th', {}, t)))),
        h('tbody', {}, s.hooks.map((k) => h('tr', {},
          h('td', {}, k.event || ''), h('td', {}, k.version || ''),
          h('td', {}, h('span', { class: 'state ' + String(k.outcome || '').toLowerCase() }, k.outcome || '')),
          h('td', {}, String(k.attempts || 0)),
          h('td', {}, k.httpStatus ? 'HTTP ' + k.httpStatus + ' ' : '', k.message || ''),
          h('td', {}, k.at ? time(k.at) : '')))))));
    }
    return parts;
  }

  /** How a condition reads at a glance: good, bad, busy or nothing to say. */
  function conditionTone(c) {
    const on = c.status === 'True';
    switch (c.type) {
      case 'Ready': case 'Available': return on ? 'on' : 'warn';
      case 'Stalled': return on ? 'bad' : 'off';
      case 'Reconciling': case 'Progressing': return on ? 'busy' : 'off';
      default: return on ? 'on' : 'off';
    }
  }

  function conditions(r) {
    const cs = list(r.status && r.status.conditions);
    if (cs.length === 0) return null;
    return section('Conditions', h('div', { class: 'conditions' }, cs.map((c) => h('span', {
      class: 'condition ' + conditionTone(c),
      title: c.status + (c.reason ? ' · ' + c.reason : '') + (c.message ? ': ' + c.message : ''),
    }, c.status === 'True' ? '✓ ' : c.status === 'False' ? '✗ ' : '? ', c.type,
    c.reason && c.reason !== phaseOf(r) ? h('span', { class: 'muted' }, ' ', c.reason) : null))));
  }

  function timeline(r) {
    const k = keyOf(r);
    const items = [];
    for (const e of list(r.status && r.status.history)) {
      items.push({ at: parseTime(e.at) || 0, order: Infinity, el: h('li', { class: 'switch' },
        h('span', { class: 'dot' }),
        h('div', {}, h('strong', {}, (e.from ? e.from + ' → ' : '→ ') + (e.to || '')), ' ',
          h('span', { class: 'tag' }, e.reason || 'Switched')),
        h('div', { class: 'when' }, time(e.at))) });
    }
    for (const e of events.values()) {
      if (key(e.namespace, e.release) !== k) continue;
      items.push({ at: parseTime(e.last) || 0, order: Number(e.order) || 0, el: h('li', { class: 'event ' + (e.type === 'Warning' ? 'warning' : 'normal') },
        h('span', { class: 'dot' }),
        h('div', {}, h('strong', {}, e.reason || ''), e.count > 1 ? h('span', { class: 'count' }, ' ×' + e.count) : null,
          ' ', h('span', { class: 'event-message' }, eventMessage(e))),
        h('div', { class: 'when' }, time(e.last))) });
    }
    // Newest first; within one second, a switch before the Events it caused, and Events in
    // the order they were written.
    items.sort((a, b) => (b.at - a.at) || (b.order > a.order ? 1 : b.order < a.order ? -1 : 0));
    const shown = items.slice(0, TIMELINE_LIMIT);
    return h('div', { class: 'timeline-box' },
      h('h3', {}, 'Timeline', h('span', { class: 'muted small' }, ' switches and events, newest first')),
      shown.length === 0 ? h('div', { class: 'muted' }, 'nothing yet')
        : h('ol', { class: 'timeline', 'data-field': 'timeline' }, shown.map((i) => i.el)),
      items.length > shown.length ? h('div', { class: 'muted small' }, (items.length - shown.length) + ' older not shown') : null);
  }

  function section(title, body) {
    return h('div', { class: 'section' }, h('h3', {}, title), body);
  }

  // ------------------------------------------------------------------ actions

  let pending = null;

  function ask(r, a) {
    const c = confirmation(r, a);
    pending = { namespace: r.metadata.namespace, name: r.metadata.name, action: a.action, version: a.version };
    document.getElementById('confirm-title').textContent = c.title;
    document.getElementById('confirm-text').textContent = c.text;
    document.getElementById('confirm-who').textContent = 'Runs `kubectl cutover ' + a.action + ' '
      + r.metadata.name + (a.version ? ' --version ' + a.version : '') + ' -n ' + r.metadata.namespace
      + '` with your kubeconfig.';
    const ok = document.getElementById('confirm-ok');
    ok.textContent = c.ok;
    ok.className = c.danger ? 'danger' : 'primary';
    document.getElementById('confirm-dialog').showModal();
    ok.focus();
  }

  async function perform(p) {
    const k = key(p.namespace, p.name);
    busy.add(k);
    notices.delete(k);
    queueRender();
    let result;
    try {
      const response = await fetch('/api/releases/' + encodeURIComponent(p.namespace) + '/'
        + encodeURIComponent(p.name) + '/' + p.action, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Cutover-Token': token },
        body: JSON.stringify(p.version ? { version: p.version } : {}),
        cache: 'no-store',
        credentials: 'omit',
      });
      if (response.headers.get('Content-Type') === 'application/json') {
        result = await response.json();
      } else {
        result = { ok: false, message: (await response.text()).trim() || ('HTTP ' + response.status), warnings: [] };
      }
    } catch (e) {
      result = { ok: false, message: 'the dashboard did not answer: ' + e.message, warnings: [] };
    }
    busy.delete(k);
    notices.set(k, result);
    queueRender();
  }

  function setUpDialog() {
    const dialog = document.getElementById('confirm-dialog');
    document.getElementById('confirm-cancel').addEventListener('click', () => { pending = null; dialog.close(); });
    document.getElementById('confirm-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const p = pending;
      pending = null;
      dialog.close();
      if (p) perform(p);
    });
    dialog.addEventListener('cancel', () => { pending = null; });
  }

  // ------------------------------------------------------------------ the stream

  function connection(state, text) {
    const el = document.getElementById('connection');
    el.setAttribute('data-state', state);
    el.textContent = text;
  }

  function connect() {
    if (!token) {
      connection('down', 'no token');
      document.getElementById('releases').replaceChildren(h('div', { class: 'empty' },
        'This address has no token: open the URL that ', h('code', {}, 'kubectl cutover dashboard'), ' printed.'));
      return;
    }
    const stream = new EventSource('/api/stream?token=' + encodeURIComponent(token));
    stream.addEventListener('open', () => connection('live', 'live'));
    stream.addEventListener('error', () => connection(stream.readyState === EventSource.CLOSED ? 'down' : 'connecting',
      stream.readyState === EventSource.CLOSED ? 'disconnected: is kubectl cutover dashboard still running?' : 'reconnecting…'));
    stream.addEventListener('snapshot', (m) => {
      const data = JSON.parse(m.data);
      scope = data.scope;
      eventsNote = data.eventsNote;
      releases.clear();
      for (const r of data.releases) releases.set(keyOf(r), r);
      events.clear();
      for (const e of data.events) events.set(e.uid, e);
      connection('live', 'live');
      queueRender();
    });
    stream.addEventListener('release', (m) => {
      const r = JSON.parse(m.data);
      releases.set(keyOf(r), r);
      queueRender();
    });
    stream.addEventListener('release-deleted', (m) => {
      const d = JSON.parse(m.data);
      releases.delete(key(d.namespace, d.name));
      notices.delete(key(d.namespace, d.name));
      queueRender();
    });
    stream.addEventListener('event', (m) => {
      const e = JSON.parse(m.data);
      events.set(e.uid, e);
      queueRender();
    });
    stream.addEventListener('event-deleted', (m) => {
      events.delete(JSON.parse(m.data).uid);
      queueRender();
    });
  }

  document.addEventListener('DOMContentLoaded', () => {
    setUpDialog();
    document.getElementById('filter').addEventListener('input', queueRender);
    setInterval(tick, 1000);
    connect();
  });
}());
