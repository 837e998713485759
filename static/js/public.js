// Public site: the 打印 button opens the browser's print dialog (the print stylesheet does the rest).
// It stays hidden without JavaScript, where it could do nothing.
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("[data-print]")) {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  }
});
