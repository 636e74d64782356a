/* Print buttons: a button marked data-print is hidden until this script runs (without it
   the button could do nothing), then prints the page. The page's print stylesheet lays it
   out, so the browser's own Print menu gives the same paper. */
(function () {
  "use strict";

  Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
