// On every update of a map, Plotly hands each trace's GeoJSON to MapLibre again, changed or not,
// and MapLibre re-tiles each source and redraws the map until all are done: several frames,
// about half a second without a GPU. Two cases are spared that here:
// - a source given the same shapes with only new fill colours (a new shading on the map, a
//   ward moved on Redraw) is recoloured in place through MapLibre's feature state, with no
//   re-tiling: its fill layers read each feature's colour from its state first, then from the
//   feature itself (Plotly's "fc");
// - a source given exactly what it already shows (the JSON text) is left alone.
// Anything else (other shapes, any other property) goes through as before.
(function () {
    "use strict";

    var COLOUR = "fc";  // the property Plotly's choropleth colours each feature by
    var RECOLOURABLE = ["to-color", ["coalesce", ["feature-state", COLOUR], ["get", COLOUR]]];
    var RECOLOURABLE_TEXT = JSON.stringify(RECOLOURABLE);
    // A feature id MapLibre keeps as it is (it turns other ids to integers, or drops them).
    var PLAIN_ID = /^(0|[1-9][0-9]{0,14})$/;

    function text(data) {
        try {
            return JSON.stringify(data);
        } catch (e) {  // not serialisable: never skipped
            return null;
        }
    }

    function plotlyColour(value) {  // Plotly's {type: "identity", property: "fc"}
        return !!value && typeof value === "object" && value.type === "identity"
            && value.property === COLOUR;
    }

    // Fill layers coloured by "fc" read it from the feature's state first, whether Plotly adds
    // them or sets their paint later.
    function steer(mapProto) {
        if (mapProto.__recolour) {
            return;
        }
        var addLayer = mapProto.addLayer;
        var setPaintProperty = mapProto.setPaintProperty;
        mapProto.addLayer = function (layer, before) {
            if (layer && layer.type === "fill" && layer.paint && plotlyColour(layer.paint["fill-color"])) {
                var paint = Object.assign({}, layer.paint, {"fill-color": RECOLOURABLE});
                layer = Object.assign({}, layer, {paint: paint});
            }
            return addLayer.apply(this, [layer].concat([].slice.call(arguments, 1)));
        };
        mapProto.setPaintProperty = function (id, name, value) {
            var args = [].slice.call(arguments);
            if (name === "fill-color" && plotlyColour(value)) {
                args[2] = RECOLOURABLE;
            }
            return setPaintProperty.apply(this, args);
        };
        mapProto.__recolour = true;
    }

    // Can the source's colours change through feature state alone? Only if every layer drawing
    // it that reads "fc" reads it through RECOLOURABLE.
    function recolourable(map, sourceId) {
        var order = map.getLayersOrder();
        for (var i = 0; i < order.length; i++) {
            var layer = map.getLayer(order[i]);
            if (!layer || layer.source !== sourceId) {
                continue;
            }
            var paint = text((layer.serialize() || {}).paint || {});
            var colour = layer.type === "fill" ? text(map.getPaintProperty(order[i], "fill-color")) : null;
            if (paint === null || (paint.indexOf('"' + COLOUR + '"') >= 0 && colour !== RECOLOURABLE_TEXT)) {
                return false;
            }
        }
        return true;
    }

    // What a FeatureCollection shows: each feature's id, its shape (by reference: Plotly hands
    // over the very shapes it fetched) and a copy of its properties. Null for anything else.
    function snapshot(data) {
        if (!data || data.type !== "FeatureCollection" || !Array.isArray(data.features)) {
            return null;
        }
        var features = data.features;
        var ids = [], shapes = [], props = [], seen = new Set();
        for (var i = 0; i < features.length; i++) {
            var f = features[i];
            if (!f || !f.geometry || !f.properties || !PLAIN_ID.test(String(f.id))
                    || (typeof f.id !== "string" && typeof f.id !== "number") || seen.has(String(f.id))) {
                return null;
            }
            seen.add(String(f.id));
            ids.push(f.id);
            shapes.push(f.geometry);
            props.push(Object.assign({}, f.properties));
        }
        return {ids: ids, shapes: shapes, props: props};
    }

    function same(a, b) {  // Object.is: a centroid Plotly could not find is NaN
        if (Object.is(a, b)) {
            return true;
        }
        if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) {
            return false;
        }
        for (var i = 0; i < a.length; i++) {
            if (!Object.is(a[i], b[i])) {
                return false;
            }
        }
        return true;
    }

    // The colours to change ([id, colour] pairs) when ``next`` is ``shown`` with only colours
    // changed; null otherwise.
    function recolouring(shown, next) {
        if (!shown || !next || shown.ids.length !== next.ids.length) {
            return null;
        }
        var changes = [];
        for (var i = 0; i < next.ids.length; i++) {
            if (shown.ids[i] !== next.ids[i] || shown.shapes[i] !== next.shapes[i]) {
                return null;
            }
            var a = shown.props[i], b = next.props[i], k;
            for (k in a) {
                if (k !== COLOUR && !same(a[k], b[k])) {
                    return null;
                }
            }
            for (k in b) {
                if (!(k in a)) {
                    return null;
                }
            }
            if (a[COLOUR] !== b[COLOUR]) {
                changes.push([next.ids[i], b[COLOUR]]);
            }
        }
        return changes;
    }

    function paintStates(map, sourceId, pairs) {
        for (var i = 0; i < pairs.length; i++) {
            map.setFeatureState({source: sourceId, id: pairs[i][0]}, {fc: pairs[i][1]});
        }
    }

    function guard(proto) {
        if (!proto || proto.__steady || typeof proto.setData !== "function") {
            return;
        }
        var setData = proto.setData;
        proto.setData = function (data, waitForCompletion) {
            var map = this.map;
            var next = snapshot(data);
            var changes = next && map && recolourable(map, this.id)
                ? recolouring(this.__shapesShown, next) : null;
            if (changes) {
                paintStates(map, this.id, changes);
                this.__recoloured = this.__recoloured || changes.length > 0;
                this.__shapesShown = next;
                this.__steadyShown = null;  // its text is no longer known: never skipped by it
                return waitForCompletion ? Promise.resolve() : this;
            }
            var now = text(data);
            this.__shapesShown = next;
            if (now !== null && now === this.__steadyShown) {
                return waitForCompletion ? Promise.resolve() : this;
            }
            this.__steadyShown = now;
            if (this.__recoloured && map) {
                // States set here would outlive the data: clear them, and give the features
                // their new colours as states too, so the tiles drawn until the new data is
                // tiled show them.
                map.removeFeatureState({source: this.id});
                var colours = !next ? [] : next.ids.map(function (id, i) {
                    return [id, next.props[i][COLOUR]];
                }).filter(function (pair) { return pair[1] !== undefined; });
                paintStates(map, this.id, colours);
                this.__recoloured = colours.length > 0;
            }
            return setData.apply(this, arguments);
        };
        proto.__steady = true;
    }

    // After a draw, record what each source was given when it was made (MapLibre keeps it as
    // _data.geojson; if a later version does not, nothing is recorded and nothing is skipped or
    // recoloured).
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
            if (layer.type === "fill" && plotlyColour(map.getPaintProperty(order[i], "fill-color"))) {
                // added before the map was seen (the made hook below): converted now, once
                map.setPaintProperty(order[i], "fill-color", RECOLOURABLE);
            }
            guard(Object.getPrototypeOf(source));  // shared by every GeoJSON source
            var made = source._data;
            if (source.__steadyShown === undefined && made && "geojson" in made) {
                source.__steadyShown = text(made.geojson);
                source.__shapesShown = snapshot(made.geojson);
            }
        }
    }

    // As soon as a map exists, before Plotly adds its layers, so they are made recolourable
    // from the start (changing a layer's colour rule later re-tiles its source once).
    window.dashboardMaps.made(function (map) {
        steer(Object.getPrototypeOf(map));
    });

    window.dashboardMaps.afterDraw(function (gd, map) {
        if (map && typeof map.getLayersOrder === "function") {
            settle(map);
        }
    });
})();
