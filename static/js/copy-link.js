// A "Copy the link" button beside a read-only link field (progressive enhancement: without the Clipboard
// API or without scripts the field stays, selectable, and the button stays hidden).
(function () {
  'use strict';
  for (const button of document.querySelectorAll('button[data-copy-target]')) {
    const field = document.getElementById(button.dataset.copyTarget);
    const status = document.getElementById(button.dataset.copyStatus);
    if (!field || !navigator.clipboard || !window.isSecureContext) continue;
    button.hidden = false;
    button.addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText(field.value);
        if (status) status.textContent = button.dataset.copiedText;
      } catch (error) {
        field.focus();
        field.select();
        if (status) status.textContent = button.dataset.failedText;
      }
    });
  }
  // Selecting the whole link on focus helps those who copy it by hand.
  for (const field of document.querySelectorAll('input[data-select-on-focus]')) {
    field.addEventListener('focus', () => field.select());
  }
})();
