// ikegw — small progressive enhancements; every page works without them.
'use strict';

document.addEventListener('DOMContentLoaded', () => {
  // Forms marked data-confirm ask before submitting (deletes, revokes).
  for (const form of document.querySelectorAll('form[data-confirm]')) {
    form.addEventListener('submit', (ev) => {
      if (!window.confirm(form.dataset.confirm)) ev.preventDefault();
    });
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
