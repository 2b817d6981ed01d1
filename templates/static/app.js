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
});
