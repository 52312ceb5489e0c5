// The phone navigation (<= 600 px, app.css): the menu button shows and hides the nav
// (class nav-open; without JavaScript nav-noscript.css keeps the nav open). aria-expanded
// tells screen readers the state; Escape closes the open menu and puts the focus back on
// its button.
(function () {
  var header = document.querySelector("header.top");
  var button = header && header.querySelector(".nav-toggle");
  if (!button) return;
  function setOpen(open) {
    header.classList.toggle("nav-open", open);
    button.setAttribute("aria-expanded", open ? "true" : "false");
  }
  button.addEventListener("click", function () {
    setOpen(button.getAttribute("aria-expanded") !== "true");
  });
  header.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && header.classList.contains("nav-open")) {
      setOpen(false);
      button.focus();
    }
  });
})();
