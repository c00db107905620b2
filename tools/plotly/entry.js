// The dashboard's Plotly: the core and only the trace types the dashboard draws (maps of areas
// and points, bars, the alignment heatmap). Keep in step with dashboard/plotly_bundle.py TRACES.
var Plotly = require('plotly.js/lib/core');

Plotly.register([
    require('plotly.js/lib/choroplethmap'),
    require('plotly.js/lib/scattermap'),
    require('plotly.js/lib/bar'),
    require('plotly.js/lib/heatmap'),
]);

module.exports = Plotly;
