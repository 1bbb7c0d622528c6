// Buttons marked data-print print the page (no inline handlers: the CSP allows only files).
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-print]");
  if (button) {
    window.print();
  }
});
