// Print buttons (回执, notices): inline handlers are barred by the Content-Security-Policy.
window.addEventListener('DOMContentLoaded', () => {
  for (const button of document.querySelectorAll('[data-print]')) {
    button.addEventListener('click', () => window.print());
  }
});
