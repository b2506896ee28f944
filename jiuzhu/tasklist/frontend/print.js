// Print buttons (回执, notices): inline handlers are barred by the Content-Security-Policy.
// A button marked data-autoprint (the case file's 打印 link) opens the print dialog at once.
window.addEventListener('DOMContentLoaded', () => {
  for (const button of document.querySelectorAll('[data-print]')) {
    button.addEventListener('click', () => window.print());
    if (button.hasAttribute('data-autoprint')) window.print();
  }
});
