// On every update of a map, Plotly hands each trace's GeoJSON to MapLibre again, changed or not,
// and MapLibre re-tiles each source and redraws the map until all are done: several frames,
// about half a second without a GPU. A source given exactly what it already shows is left
// alone here, so an update costs only what really changed. "Exactly" is the JSON text: any
// difference (a colour, a name, a point) still goes through.
(function () {
    "use strict";

    function text(data) {
        try {
            return JSON.stringify(data);
        } catch (e) {  // not serialisable: never skipped
            return null;
        }
    }

    function guard(proto) {
        if (!proto || proto.__steady || typeof proto.setData !== "function") {
            return;
        }
        var setData = proto.setData;
        proto.setData = function (data, waitForCompletion) {
            var now = text(data);
            if (now !== null && now === this.__steadyShown) {
                return waitForCompletion ? Promise.resolve() : this;
            }
            this.__steadyShown = now;
            return setData.apply(this, arguments);
        };
        proto.__steady = true;
    }

    // After a draw, record what each source was given when it was made (MapLibre keeps it as
    // _data.geojson; if a later version does not, nothing is recorded and nothing is skipped).
    // Labels appear at once rather than fading in: a fade is a third of a second of frames,
    // each of which, drawn without a GPU, holds up the page.
    function settle(map) {
        map._fadeDuration = 0;
        var order = map.getLayersOrder();
        for (var i = 0; i < order.length; i++) {
            var layer = map.getLayer(order[i]);
            var source = layer && layer.source && map.getSource(layer.source);
            if (!source || source.type !== "geojson") {
                continue;
            }
            guard(Object.getPrototypeOf(source));  // shared by every GeoJSON source
            var made = source._data;
            if (source.__steadyShown === undefined && made && "geojson" in made) {
                source.__steadyShown = text(made.geojson);
            }
        }
    }

    window.dashboardMaps.afterDraw(function (gd, map) {
        if (map && typeof map.getLayersOrder === "function") {
            settle(map);
        }
    });
})();
