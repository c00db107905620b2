// Ask before the tab leaves the dashboard while what-if work is unsaved. The work itself is
// kept in this tab's session storage (the "unsaved-work" store), so a reload restores it.
window.addEventListener("beforeunload", function (event) {
    var data;
    try {
        data = JSON.parse(window.sessionStorage.getItem("unsaved-work") || "null");
    } catch (err) {
        return;
    }
    var pending = 0;
    ["redraw", "hubs"].forEach(function (page) {
        pending += Object.keys((data && data[page]) || {}).length;
    });
    if (pending > 0) {
        event.preventDefault();
        event.returnValue = "";
    }
});
