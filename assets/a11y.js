// Accessible names and focus for the parts Dash's components draw without them.
//
// * Dash's dropdowns put a hidden, focusable "focus target" before their button, and name the
//   button by its value only: the button itself takes the focus, and is named by the field's
//   label and then its value ("Layer: Place partnerships").
// * Sliders and file inputs get the name of the field they sit in.
// Dash may redraw these at any time, so the fix is re-applied whenever the page changes.
(function () {
  function fieldLabel(el) {
    const field = el.closest('.mb-2, .mb-3, [class*="col"]');
    const label = field && field.querySelector('label');
    return label ? label.textContent.trim() : '';
  }

  function labelId(button) {
    const label = document.querySelector('label[for="' + CSS.escape(button.id) + '"]');
    if (!label) { return null; }
    if (!label.id) { label.id = button.id + '-label'; }
    return label.id;
  }

  function fixDropdown(wrapper) {
    const target = wrapper.querySelector(':scope > .dash-dropdown-focus-target');
    const button = wrapper.querySelector(':scope > button.dash-dropdown');
    if (!target || !button) { return; }
    if (target.getAttribute('tabindex') !== '-1') { target.setAttribute('tabindex', '-1'); }
    if (button.getAttribute('tabindex') !== '0') { button.setAttribute('tabindex', '0'); }
    const id = button.id && labelId(button);
    const named = button.getAttribute('aria-labelledby') || '';
    if (id && !named.split(' ').includes(id)) {
      button.setAttribute('aria-labelledby', (id + ' ' + named).trim());
    }
  }

  function name(el) {
    if (el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')) { return; }
    const text = fieldLabel(el) || (el.closest('[id]') || {}).textContent || '';
    if (text.trim()) { el.setAttribute('aria-label', text.trim().slice(0, 120)); }
  }

  function fixAll() {
    document.querySelectorAll('.dash-dropdown-wrapper').forEach(fixDropdown);
    document.querySelectorAll('[role="slider"], input[type="file"]').forEach(name);
  }

  let queued = false;
  new MutationObserver(function () {
    if (queued) { return; }
    queued = true;
    requestAnimationFrame(function () { queued = false; fixAll(); });
  }).observe(document.documentElement, {childList: true, subtree: true, attributes: true,
                                         attributeFilter: ['tabindex', 'aria-labelledby']});
  document.addEventListener('DOMContentLoaded', fixAll);
})();
