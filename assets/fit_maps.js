// Maps are framed on the server for a desktop column (layout.map.fit: west, south, east,
// north). On a narrower screen that frame would be cut off, so zoom out until it fits. The
// change is made as a user's zoom would be, so the map keeps it across the server's updates
// until the server frames something else.
(function () {
    "use strict";

    function mercator(lat) {
        return Math.log(Math.tan(Math.PI / 4 + (lat * Math.PI) / 360));
    }

    function zoomToFit(frame, width, height) {
        var lon = Math.max(frame[2] - frame[0], 1e-6) / 360;
        var lat = Math.max(mercator(frame[3]) - mercator(frame[1]), 1e-6) / (2 * Math.PI);
        return Math.min(Math.log2(width / 512 / lon), Math.log2(height / 512 / lat)) - 0.15;
    }

    function fit(gd, camera) {  // camera: MapLibre's map (not made yet: the next draw tries)
        var map = gd.layout && gd.layout.map;
        var full = gd._fullLayout;
        if (!map || !Array.isArray(map.fit) || !full || !full._size || !camera) {
            return;
        }
        var key = map.fit.join(",") + "@" + full._size.w + "x" + full._size.h;
        if (gd._fittedTo === key) {
            return;
        }
        gd._fittedTo = key;
        var zoom = zoomToFit(map.fit, full._size.w, full._size.h);
        if (zoom < full.map.zoom - 0.05) {
            // Moved as a user's zoom is (an event with an originalEvent), so Plotly records it
            // as the user's view and keeps it across the server's updates, with no redraw.
            camera.jumpTo({zoom: Math.max(0, zoom)}, {originalEvent: {type: "fit"}});
        }
    }

    window.dashboardMaps.afterDraw(fit);
})();
