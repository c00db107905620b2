// Each Plotly graph on the page, found as it appears: functions registered with afterDraw run
// once it is found and after each of its draws, given the graph and its MapLibre map (null for
// a chart, or before the map is made); functions registered with made run once for each map as
// soon as it is seen, usually before Plotly has added its layers (the map waits for its style
// and shapes to load first). Loaded before the scripts that register (file order).
window.dashboardMaps = (function () {
    "use strict";

    var hooks = [];
    var madeHooks = [];

    function mapOf(gd) {
        var full = gd._fullLayout;
        return (full && full.map && full.map._subplot && full.map._subplot.map) || null;
    }

    function seen(gd) {
        var map = mapOf(gd);
        if (map && gd.__mapSeen !== map) {
            gd.__mapSeen = map;
            madeHooks.forEach(function (hook) { hook(map); });
        }
    }

    function run(gd) {
        seen(gd);
        hooks.forEach(function (hook) { hook(gd, mapOf(gd)); });
    }

    function watch(gd) {
        seen(gd);  // on every scan, so a map made after its graph was found is seen at once
        if (gd.__mapHooked || typeof gd.on !== "function") {
            return;
        }
        gd.__mapHooked = true;
        gd.on("plotly_afterplot", function () { run(gd); });
        run(gd);
    }

    var pending = false;

    function scan() {  // at most once a frame, however many changes the page makes
        if (pending) {
            return;
        }
        pending = true;
        window.requestAnimationFrame(function () {
            pending = false;
            document.querySelectorAll(".js-plotly-plot").forEach(watch);
        });
    }

    new MutationObserver(scan).observe(document.documentElement, {childList: true, subtree: true});
    return {afterDraw: function (hook) { hooks.push(hook); },
            made: function (hook) { madeHooks.push(hook); }};
})();
