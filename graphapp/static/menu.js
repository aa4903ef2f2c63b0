// The header's nav: open on a wide screen, folded into "Menu" on a narrow one (a phone). Without this
// script the nav is simply open everywhere, and "Menu" folds it.
(function () {
  var menu = document.querySelector("header.site details.menu");
  if (!menu || !window.matchMedia) return;
  var narrow = window.matchMedia("(max-width: 61.99rem)");
  function fit() { menu.open = !narrow.matches; }
  fit();
  narrow.addEventListener("change", fit);
})();
