// ikegw — small progressive enhancements; every page works without them.
'use strict';

document.addEventListener('DOMContentLoaded', () => {
  // Forms marked data-confirm ask before submitting (deletes, revokes).
  for (const form of document.querySelectorAll('form[data-confirm]')) {
    form.addEventListener('submit', (ev) => {
      if (!window.confirm(form.dataset.confirm)) ev.preventDefault();
    });
  }
  // Forms marked data-busy do slow work (an RSA 4096 key takes seconds):
  // say that it is working and keep the button from being pressed twice.
  for (const form of document.querySelectorAll('form[data-busy]')) {
    form.addEventListener('submit', (ev) => {
      if (ev.defaultPrevented) return;
      const button = ev.submitter || form.querySelector('button[type=submit]');
      for (const b of form.querySelectorAll('button[type=submit]')) b.disabled = true;
      if (button) {
        button.dataset.label = button.textContent;
        button.textContent = form.dataset.busy;
      }
      form.setAttribute('aria-busy', 'true');
      const status = form.querySelector('.busy-status');
      if (status) {
        const text = form.dataset.busy;
        status.textContent = text + (/[.…]$/.test(text) ? ' ' : '. ') + 'Other pages keep working meanwhile.';
        status.hidden = false;
      }
    });
  }
  // Coming back through the history restores the buttons.
  window.addEventListener('pageshow', (ev) => {
    if (!ev.persisted) return;
    for (const form of document.querySelectorAll('form[aria-busy]')) {
      form.removeAttribute('aria-busy');
      for (const b of form.querySelectorAll('button[type=submit]')) {
        b.disabled = false;
        if (b.dataset.label) b.textContent = b.dataset.label;
      }
      const status = form.querySelector('.busy-status');
      if (status) status.hidden = true;
    }
  });
  // A select marked data-switch shows only the parts of its form marked
  // data-when="value …" for the chosen value; the others are disabled, so
  // they are not sent.  Without script every part shows.
  for (const sel of document.querySelectorAll('select[data-switch]')) {
    const form = sel.form;
    const update = () => {
      const parts = form.querySelectorAll('[data-when]');
      for (const el of form.querySelectorAll('input, select, textarea')) {
        if (el.closest('[data-when]')) el.disabled = false;
      }
      for (const part of parts) {
        const on = part.dataset.when.split(' ').includes(sel.value);
        part.hidden = !on;
        if (!on) {
          for (const el of part.querySelectorAll('input, select, textarea')) el.disabled = true;
        }
      }
    };
    sel.addEventListener('change', update);
    update();
  }
  // Menus open on click too (touch screens, keyboard users).
  for (const btn of document.querySelectorAll('.menu-title')) {
    btn.addEventListener('click', () => {
      const li = btn.parentElement;
      const open = li.classList.contains('open');
      for (const other of document.querySelectorAll('.menu-section.open')) other.classList.remove('open');
      if (!open) li.classList.add('open');
      btn.setAttribute('aria-expanded', String(!open));
    });
  }
  document.addEventListener('click', (ev) => {
    if (!ev.target.closest('.menu-section')) {
      for (const li of document.querySelectorAll('.menu-section.open')) li.classList.remove('open');
    }
  });
  // Phase 1: legacy algorithms are offered only while "Legacy clients" is
  // on (the server refuses them otherwise, with or without script).
  const legacySwitch = document.querySelector('input[data-legacy-switch]');
  if (legacySwitch) {
    const update = () => {
      for (const opt of document.querySelectorAll('option[data-legacy]')) {
        opt.hidden = !legacySwitch.checked && !opt.selected;
      }
    };
    legacySwitch.addEventListener('change', update);
    update();
  }

  // Firewall rule forms: the address box next to a source or destination
  // shows only for "Single host or address" and "Network" (the server
  // ignores it for the other types; without script it always shows).
  for (const sel of document.querySelectorAll('select[data-addr]')) {
    const box = sel.parentElement.querySelector('[data-addr-value]');
    if (!box) continue;
    const update = () => {
      const on = sel.value === 'address' || sel.value === 'network';
      box.hidden = !on;
      box.disabled = !on;
    };
    sel.addEventListener('change', update);
    update();
  }

  // Firewall rules: drag a row onto another to put it in that row's place.
  // The drop submits the row's move form with the new position, exactly as
  // the Up/Down buttons do without script, and the page comes back in order.
  const ordered = document.querySelector('table[data-reorder]');
  if (ordered) {
    let dragged = null;
    for (const row of ordered.querySelectorAll('tbody tr[data-id]')) {
      row.draggable = true;
      row.addEventListener('dragstart', (ev) => {
        dragged = row;
        row.classList.add('dragging');
        ev.dataTransfer.effectAllowed = 'move';
        ev.dataTransfer.setData('text/plain', row.dataset.id);
      });
      row.addEventListener('dragend', () => {
        row.classList.remove('dragging');
        for (const r of ordered.querySelectorAll('tr.drop-target')) r.classList.remove('drop-target');
      });
      row.addEventListener('dragover', (ev) => {
        if (!dragged || dragged === row) return;
        ev.preventDefault();
        ev.dataTransfer.dropEffect = 'move';
        row.classList.add('drop-target');
      });
      row.addEventListener('dragleave', () => row.classList.remove('drop-target'));
      row.addEventListener('drop', (ev) => {
        ev.preventDefault();
        if (!dragged || dragged === row) return;
        const form = document.createElement('form');
        form.method = 'post';
        form.action = '/firewall/rules/' + encodeURIComponent(dragged.dataset.id) + '/move';
        for (const [n, v] of [['csrf', ordered.dataset.csrf], ['position', row.dataset.position]]) {
          const i = document.createElement('input');
          i.type = 'hidden'; i.name = n; i.value = String(v);
          form.append(i);
        }
        document.body.append(form);
        form.submit();
      });
    }
  }

  // Status pages: tables marked data-live refresh from their JSON twin.
  for (const node of document.querySelectorAll('[data-live]')) {
    const refresh = async () => {
      if (document.hidden) return;
      try {
        const r = await fetch(node.dataset.live, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
        if (!r.ok) return;
        const data = await r.json();
        if (node.id === 'sas') renderSas(node, data.sas || []);
        else renderPools(node, data.pools || []);
        node.dataset.refreshed = String(Date.now());
      } catch (e) {
        // Keep the last table; the next round tries again.
      }
    };
    window.setInterval(refresh, 3000);
  }
});

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}

function confirmOnSubmit(form) {
  form.addEventListener('submit', (ev) => {
    if (!window.confirm(form.dataset.confirm)) ev.preventDefault();
  });
}

function renderSas(table, sas) {
  const body = document.createElement('tbody');
  const csrf = table.dataset.csrf;
  for (const sa of sas) {
    const tr = document.createElement('tr');
    tr.dataset.sa = sa.id;
    tr.append(el('td', sa.id), el('td', sa.connection));
    const who = el('td', sa.identity);
    who.append(document.createElement('br'));
    who.append(el('small', 'local ' + sa.local_id + ', remote ' + sa.remote_id + (sa.virtual_ips ? ', virtual IP ' + sa.virtual_ips : '')));
    tr.append(who, el('td', sa.remote), el('td', sa.nat));
    const alg = el('td'); alg.append(el('small', sa.algorithms)); tr.append(alg);
    const st = el('td'); st.append(el('span', sa.state, 'state-' + sa.state)); tr.append(st);
    tr.append(el('td', sa.established));
    const ch = el('td');
    for (const c of sa.children || []) {
      const d = el('div', null, 'child');
      const s = el('small');
      s.append(c.local + ' === ' + c.remote, document.createElement('br'),
        c.algorithms + ', SPIs ' + c.spi_in + '/' + c.spi_out, document.createElement('br'),
        'in ' + c.bytes_in + ' bytes / ' + c.packets_in + ' packets, out ' + c.bytes_out + ' bytes / ' + c.packets_out + ' packets');
      d.append(s);
      ch.append(d);
    }
    tr.append(ch);
    const act = el('td', null, 'actions');
    const form = document.createElement('form');
    form.method = 'post';
    form.action = '/status/ipsec/overview/disconnect';
    form.className = 'inline';
    form.dataset.confirm = 'Disconnect this client?';
    for (const [n, v] of [['csrf', csrf], ['id', sa.id]]) {
      const i = document.createElement('input');
      i.type = 'hidden'; i.name = n; i.value = String(v);
      form.append(i);
    }
    const b = el('button', 'Disconnect', 'danger');
    b.type = 'submit';
    form.append(b);
    confirmOnSubmit(form);
    act.append(form);
    tr.append(act);
    body.append(tr);
  }
  if (sas.length === 0) {
    const tr = document.createElement('tr');
    tr.className = 'none';
    const td = el('td', 'No IKE SAs.', 'empty');
    td.colSpan = 10;
    tr.append(td);
    body.append(tr);
  }
  table.tBodies[0].replaceWith(body);
}

function renderPools(box, pools) {
  const frag = document.createDocumentFragment();
  for (const p of pools) {
    const div = el('div', null, 'pool');
    div.append(el('h2', 'Pool ' + p.pool + ' (' + p.family + ' ' + p.prefix + ')'));
    div.append(el('p', 'Size ' + p.size + ', online ' + p.online + ', in use ' + p.bound, 'pool-summary'));
    const table = el('table', null, 'list leases');
    const head = document.createElement('thead');
    const hr = document.createElement('tr');
    for (const h of ['Address', 'Identity', 'Status', 'Since']) hr.append(el('th', h));
    head.append(hr);
    const body = document.createElement('tbody');
    for (const l of p.leases) {
      const tr = document.createElement('tr');
      const st = el('td'); st.append(el('span', l.state, 'state-' + l.state));
      tr.append(el('td', l.address), el('td', l.identity), st, el('td', l.since));
      body.append(tr);
    }
    if (p.leases.length === 0) {
      const tr = document.createElement('tr');
      const td = el('td', 'No leases.', 'empty'); td.colSpan = 4;
      tr.append(td); body.append(tr);
    }
    table.append(head, body);
    div.append(table);
    frag.append(div);
  }
  box.replaceChildren(frag);
}
