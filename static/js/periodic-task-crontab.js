// The periodic task's admin page: show the chosen crontab in words under its field.
// (django_celery_beat does this in an inline script, which our Content Security Policy blocks.)
(function () {
  "use strict";
  var $ = window.django && window.django.jQuery;
  if (!$) { return; }
  $(function () {
    var data = document.getElementById("readable-crontabs");
    var readable = data ? JSON.parse(data.textContent) : {};
    var help = $(".field-crontab .help");
    var original = help.html();
    $(".field-crontab_translation").hide();
    $(".field-crontab").change(function () {
      var words = readable[$("#id_crontab").val()];
      help.html(original);
      if (words) {
        help.append($("<br>"), document.createTextNode("Translation: " + words));
      }
    });
  });
})();
