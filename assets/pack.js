// Every request a page makes names the page's pack, so that a tab keeps its borough even
// when another tab of the same browser chose another (see dashboard/reference.py).
(function () {
    const original = window.fetch;
    function chosenPack() {
        const inAddress = new URLSearchParams(window.location.search).get("pack");
        if (inAddress) { return inAddress; }
        const shell = document.getElementById("pack-key");
        return shell ? shell.getAttribute("data-pack") : null;
    }
    window.fetch = function (resource, options) {
        const url = typeof resource === "string" ? resource : (resource && resource.url) || "";
        const pack = chosenPack();
        if (pack && url.indexOf("_dash-") !== -1) {
            options = Object.assign({}, options);
            const headers = new Headers(options.headers || {});
            headers.set("X-Dashboard-Pack", pack);
            options.headers = headers;
        }
        return original.call(this, resource, options);
    };
}());
