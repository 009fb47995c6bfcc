// Console agenda: the calendar component (EventCalendar, vendored under vendor/) over the
// list view the server renders. Without this script, or without the component, the list
// view stays. Times are the business's wall clock, sent and read without offset.
(function () {
  "use strict";

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function wallClock(date) {
    return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) +
      "T" + pad(date.getHours()) + ":" + pad(date.getMinutes());
  }

  function isoDay(date) { return wallClock(date).slice(0, 10); }

  var VIEWS = { day: "resourceTimeGridDay", week: "resourceTimeGridWeek", month: "dayGridMonth" };

  function mount(root) {
    if (typeof window.EventCalendar === "undefined") return;
    var data = root.dataset;
    var texts = JSON.parse(data.texts);
    var status = document.getElementById("agenda-status");
    var list = document.getElementById("agenda-list");
    var filters = JSON.parse(data.filters);

    function say(message, bad) {
      status.textContent = message;
      status.className = bad ? "agenda-status bad" : "agenda-status ok";
      status.setAttribute("role", bad ? "alert" : "status");
      status.hidden = false;
    }

    function feed(info, success, failure) {
      var params = new URLSearchParams(filters);
      params.set("start", isoDay(info.start));
      params.set("end", isoDay(info.end));
      params.set("back", window.location.pathname + window.location.search);
      fetch(data.feed + "?" + params.toString(), { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error(response.status);
          return response.json();
        })
        .then(function (body) { success(body.events); })
        .catch(function (error) { say(texts.load_failed, true); failure(error); });
    }

    function move(info) {
      var event = info.event;
      var form = new URLSearchParams();
      form.set("csrf_token", data.csrf);
      form.set("start", wallClock(event.start));
      form.set("resource", info.newResource ? info.newResource.id : (event.resourceIds || [])[0] || "");
      form.set("version", String(event.extendedProps.version));
      fetch("/console/bookings/" + encodeURIComponent(event.id) + "/move", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: form.toString()
      })
        .then(function (response) {
          return response.json().catch(function () { return {}; }).then(function (body) {
            return { ok: response.ok, body: body };
          });
        })
        .then(function (answer) {
          if (!answer.ok) {
            say(answer.body.message || texts.move_failed, true);
            calendar.refetchEvents();
            return;
          }
          say(answer.body.message, false);
          calendar.refetchEvents();
        })
        .catch(function () { say(texts.move_failed, true); calendar.refetchEvents(); });
    }

    // Button texts in the page's language (each view's own prev/next included).
    function labels(defaults) {
      defaults.today = texts.today;
      defaults.prev = texts.prev;
      defaults.next = texts.next;
      defaults.resourceTimeGridDay = texts.day;
      defaults.resourceTimeGridWeek = texts.week;
      defaults.dayGridMonth = texts.month;
      return defaults;
    }

    var view = VIEWS[data.view] || VIEWS.day;
    var calendar = window.EventCalendar.create(root, {
      view: view,
      date: data.date,
      locale: data.locale,
      firstDay: 1,
      resources: JSON.parse(data.resources),
      eventSources: [{ events: feed }],
      headerToolbar: {
        start: "prev,next today",
        center: "title",
        end: "resourceTimeGridDay,resourceTimeGridWeek,dayGridMonth"
      },
      buttonText: labels,
      views: {
        resourceTimeGridDay: { buttonText: labels },
        resourceTimeGridWeek: { buttonText: labels },
        dayGridMonth: { buttonText: labels }
      },
      allDaySlot: false,
      datesAboveResources: true,
      slotMinTime: data.opens,
      slotMaxTime: data.closes,
      scrollTime: data.opens,
      slotDuration: "00:30:00",
      slotHeight: 44,
      height: "auto",
      nowIndicator: true,
      dayMaxEvents: true,
      editable: false,
      eventStartEditable: false,
      eventDurationEditable: false,
      slotLabelFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
      eventTimeFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
      eventDrop: move,
      eventClick: function (info) {
        var url = info.event.extendedProps.url;
        if (url) window.location.href = url;
      },
      dateClick: function (info) {
        if (info.view.type === VIEWS.month) {  // a day of the month opens that day's grid
          calendar.setOption("date", info.date);
          calendar.setOption("view", VIEWS.day);
          return;
        }
        if (info.allDay || !info.resource) return;
        window.location.href = "/console/bookings/new?resource=" + encodeURIComponent(info.resource.id) +
          "&at=" + encodeURIComponent(wallClock(info.date));
      },
      eventContent: function (info) {
        if (info.event.extendedProps.kind === "free") return info.event.title;
        return undefined;
      },
      datesSet: function (info) {
        var name = Object.keys(VIEWS).filter(function (k) { return VIEWS[k] === info.view.type; })[0] || "day";
        var day = isoDay(info.view.currentStart);
        var url = new URL(window.location.href);
        url.searchParams.set("view", name);
        url.searchParams.set("date", day);
        url.searchParams.delete("done");
        window.history.replaceState(null, "", url.toString());
        document.querySelectorAll("form.filters input[name=view]").forEach(function (i) { i.value = name; });
        document.querySelectorAll("form.filters input[name=date]").forEach(function (i) { i.value = day; });
        var heading = document.querySelector(".agenda-head h1");
        if (heading) heading.textContent = info.view.title;
      },
      eventDidMount: function (info) {
        info.el.setAttribute("title", info.event.title);
        if (info.event.extendedProps.kind === "free") info.el.setAttribute("role", "link");
      }
    });
    root.classList.add("mounted");
    document.body.classList.add("has-calendar");
    var toggle = document.getElementById("agenda-toggle");
    if (toggle && list) {
      // The list stays open once the operator asked for it (for this tab).
      var open = window.sessionStorage.getItem("turnero-agenda-list") === "1";
      var show = function () {
        list.hidden = !open;
        toggle.textContent = open ? texts.hide_list : texts.show_list;
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
      };
      toggle.hidden = false;
      toggle.addEventListener("click", function () {
        open = !open;
        window.sessionStorage.setItem("turnero-agenda-list", open ? "1" : "0");
        show();
      });
      show();
    }
    root.ec = calendar;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var root = document.getElementById("agenda-calendar");
    if (root) mount(root);
  });
})();
