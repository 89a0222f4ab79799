"""Small Leaflet elements of our own: popups and tooltips that take escaped HTML, the legend,
the country-outline layer and the day slider.

Why not folium's ``Popup`` and ``Tooltip``: folium's popup needs jQuery (one more asset to
inline offline) and both put their text into a JavaScript template literal, where a backtick
or ``${...}`` in a customer name would be code. Here every text reaches JavaScript as a JSON
string (Jinja's ``tojson`` also escapes ``<``, ``>``, ``&`` and ``'``), and the HTML inside it
has been escaped by the caller (see :func:`maps.draw.esc`).
"""

from __future__ import annotations

from typing import Any

from branca.element import MacroElement
from folium.template import Template


class HtmlPopup(MacroElement):
    """A popup bound to its parent layer; ``html`` must already be escaped."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.bindPopup({{ this.html|tojson }},
            {{ this.options|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, html: str, *, max_width: int = 460, max_height: int = 320) -> None:
        super().__init__()
        self._name = "HtmlPopup"
        self.html = html
        self.options = {"maxWidth": max_width, "maxHeight": max_height}


class Tip(MacroElement):
    """A hover tooltip bound to its parent layer; ``html`` must already be escaped."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.bindTooltip({{ this.html|tojson }},
            {{ this.options|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, html: str, *, sticky: bool = True, permanent: bool = False) -> None:
        super().__init__()
        self._name = "Tip"
        self.html = html
        self.options: dict[str, Any] = {"sticky": sticky, "permanent": permanent}


class Legend(MacroElement):
    """A legend box as a Leaflet control; ``html`` is our own static markup."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>
        .rp-legend { background: rgba(255,255,255,.92); padding: 5px 8px; font: 11px/1.35
          system-ui, sans-serif; border-radius: 5px; box-shadow: 0 1px 4px rgba(0,0,0,.35);
          max-width: 260px; }
        .rp-legend h4 { margin: 0 0 4px; font-size: 13px; }
        .rp-legend .sw { display: inline-block; width: 22px; height: 0; vertical-align: middle;
          margin-right: 6px; border-top: 4px solid #333; }
        .rp-legend .dot { display: inline-block; width: 10px; height: 10px; border-radius: 50%;
          margin: 0 8px 0 6px; vertical-align: middle; border: 1px solid #333; }
        .rp-diamond { width: 10px; height: 10px; transform: rotate(45deg);
          border: 2px solid #222; box-sizing: border-box; }
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function () {
            var legend = L.control({position: {{ this.position|tojson }}});
            legend.onAdd = function () {
                var div = L.DomUtil.create("div", "rp-legend");
                div.innerHTML = {{ this.html|tojson }};
                L.DomEvent.disableClickPropagation(div);
                return div;
            };
            legend.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, html: str, *, position: str = "bottomright") -> None:
        super().__init__()
        self._name = "Legend"
        self.html = html
        self.position = position


class CountryOutlines(MacroElement):
    """Country outlines in a pane under every other layer, for maps without tiles."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>.leaflet-container { background: #cfe0ea; }</style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            map.createPane("rp-outlines");
            map.getPane("rp-outlines").style.zIndex = 250;
            L.geoJSON({{ this.data|tojson }}, {
                pane: "rp-outlines", interactive: false,
                style: {color: "#8a8a8a", weight: 0.8, fillColor: "#f4f1ea", fillOpacity: 1}
            }).addTo(map);
        })();
        {% endmacro %}
        """
    )

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__()
        self._name = "CountryOutlines"
        self.data = data


class DaySlider(MacroElement):
    """A day slider (with play button) that moves every running train along its route.

    ``data``: ``start`` (ISO date of day 0), ``days`` (last day index), ``routes`` (lists of
    ``[lat, lon]``), ``trains`` (``[route index, departure day, transit days, colour,
    escaped label]``). Trains are drawn as circle markers into ``layer`` (a FeatureGroup on
    the same map) at the share of their route that matches the share of their transit time.
    """

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>
        .rp-slider { background: rgba(255,255,255,.92); padding: 6px 9px; border-radius: 5px;
          font: 12px/1.4 system-ui, sans-serif; box-shadow: 0 1px 4px rgba(0,0,0,.35); }
        .rp-slider input[type=range] { width: 240px; vertical-align: middle; }
        .rp-slider button { font: inherit; margin-right: 6px; cursor: pointer; }
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var layer = {{ this.layer.get_name() }};
            var data = {{ this.data|tojson }};
            var cum = data.routes.map(function (r) {
                var c = [0];
                for (var i = 1; i < r.length; i++) {
                    var dx = (r[i][1] - r[i-1][1]) * Math.cos((r[i][0] + r[i-1][0]) * Math.PI / 360);
                    var dy = r[i][0] - r[i-1][0];
                    c.push(c[i-1] + Math.sqrt(dx * dx + dy * dy));
                }
                return c;
            });
            function at(k, f) {
                var r = data.routes[k], c = cum[k], goal = c[c.length - 1] * f;
                for (var i = 1; i < r.length; i++) {
                    if (c[i] >= goal) {
                        var s = c[i] - c[i-1], t = s > 0 ? (goal - c[i-1]) / s : 0;
                        return [r[i-1][0] + t * (r[i][0] - r[i-1][0]),
                                r[i-1][1] + t * (r[i][1] - r[i-1][1])];
                    }
                }
                return r[r.length - 1];
            }
            var t0 = Date.parse(data.start + "T00:00:00Z");
            var box = L.DomUtil.create("div", "rp-slider");
            var play = L.DomUtil.create("button", "rp-play", box);
            play.type = "button"; play.textContent = "\u25b6";
            var input = L.DomUtil.create("input", "rp-day", box);
            input.type = "range"; input.min = 0; input.max = data.days; input.step = 1;
            input.value = 0;
            var label = L.DomUtil.create("div", "rp-day-label", box);
            function show(day) {
                layer.clearLayers();
                var n = 0;
                data.trains.forEach(function (t) {
                    if (day < t[1] || day > t[1] + t[2]) { return; }
                    var f = t[2] > 0 ? (day - t[1]) / t[2] : 1;
                    L.circleMarker(at(t[0], f), {radius: 6, color: "#222", weight: 1,
                        fillColor: t[3], fillOpacity: 0.95, className: "rp-moving"})
                        .bindTooltip(t[4]).addTo(layer);
                    n++;
                });
                var date = new Date(t0 + day * 86400000).toISOString().slice(0, 10);
                var w = data.words || ["Day ", "", " train on the way", " trains on the way"];
                label.textContent = w[0] + day + w[1] + " \u00b7 " + date + " \u00b7 " + n +
                    (n === 1 ? w[2] : w[3]);
                box.setAttribute("data-day", String(day));
            }
            input.addEventListener("input", function () { show(parseInt(input.value, 10)); });
            var timer = null;
            play.addEventListener("click", function () {
                if (timer) { clearInterval(timer); timer = null; play.textContent = "\u25b6"; return; }
                play.textContent = "\u23f8";
                timer = setInterval(function () {
                    var d = (parseInt(input.value, 10) + 1) % (data.days + 1);
                    input.value = d; show(d);
                }, 700);
            });
            var ctl = L.control({position: "bottomleft"});
            ctl.onAdd = function () {
                L.DomEvent.disableClickPropagation(box);
                L.DomEvent.disableScrollPropagation(box);
                return box;
            };
            ctl.addTo(map);
            show(0);
        })();
        {% endmacro %}
        """
    )

    def __init__(self, data: dict[str, Any], layer: MacroElement) -> None:
        super().__init__()
        self._name = "DaySlider"
        self.data = data
        self.layer = layer
