// Tables drawn in the browser from their data (dashboard/web/common/drawn_table.py), alone or
// in a section with headings, notes and lists. As Dash components, a table of a hundred cells
// costs the redraw page about a quarter of a second on every move: Dash checks each of its
// components on each update. Drawn here it is one update. Every text is set as text, never
// read as HTML.
window.dashboardTables = (function () {
    "use strict";

    function element(tag, className, text) {
        var node = document.createElement(tag);
        if (className) {
            node.className = className;
        }
        if (text !== undefined && text !== null) {
            node.textContent = String(text);
        }
        return node;
    }

    function text(spec) {  // red and bold when an alert
        return spec.alert ? element("span", "text-danger fw-semibold", spec.text)
                          : document.createTextNode(String(spec.text));
    }

    function cell(spec, tag) {
        var node = element(tag, spec.className);
        if (tag === "th") {
            node.scope = "row";
        }
        if (spec.swatch) {
            var swatch = element("span", "d-inline-block me-1 border align-middle");
            swatch.style.width = "0.9em";
            swatch.style.height = "0.9em";
            swatch.style.background = spec.swatch;
            node.appendChild(swatch);
        }
        node.appendChild(text(spec));
        return node;
    }

    function build(spec) {
        var table = element("table", "table table-sm table-striped table-hover " +
                                     (spec.className || ""));
        table.id = spec.id;
        if (spec.caption) {
            table.appendChild(element("caption", null, spec.caption));
        }
        var head = element("thead"), top = element("tr");
        spec.head.forEach(function (text) {
            var th = element("th", null, text);
            th.scope = "col";
            top.appendChild(th);
        });
        head.appendChild(top);
        var body = element("tbody");
        spec.rows.forEach(function (row) {
            var tr = element("tr");
            row.forEach(function (c, i) { tr.appendChild(cell(c, i === 0 ? "th" : "td")); });
            body.appendChild(tr);
        });
        table.appendChild(head);
        table.appendChild(body);
        var wrap = element("div", "table-responsive");
        wrap.appendChild(table);
        return wrap;
    }

    function draw(box, spec) {
        if (!box) {
            return;
        }
        if (!spec) {  // no table (the comparison could not be made)
            box.replaceChildren();
            return;
        }
        box.replaceChildren(build(spec));
    }

    // One part of a section: a heading, a note (red when an alert), a list or a table.
    function part(spec) {
        if (spec.kind === "table") {
            return build(spec.table);
        }
        if (spec.kind === "list") {
            var list = element("ul", spec.className);
            spec.items.forEach(function (text) { list.appendChild(element("li", null, text)); });
            return list;
        }
        if (spec.kind === "heading") {
            return element("h2", spec.className, spec.text);
        }
        var note = element("p", spec.className);
        note.appendChild(text(spec));
        return note;
    }

    function drawSection(box, parts) {
        if (box) {
            box.replaceChildren.apply(box, (parts || []).map(part));
        }
    }

    return {draw: draw, drawSection: drawSection};
})();
