#pragma once
// Inline SVG charts for the HTML report, generated here (no JavaScript, no
// external resources): horizontal bar charts with error bars and line charts.
// The output is an <svg> element meant to be embedded in HTML5 (no xmlns).
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace clinrl::eval {

struct Bar {
  std::string label;
  double value = 0;
  double error = 0;  // half-length of the error bar (drawn when > 0)
};

struct BarChart {
  std::string title;
  std::vector<Bar> bars;
  double max_value = 1.0;  // the axis end; grows to fit value + error
};

struct LineSeries {
  std::string name;
  std::vector<std::pair<double, double>> points;  // (x, y), x increasing
};

struct LineChart {
  std::string title;
  std::string x_label = "step";
  std::vector<LineSeries> series;
};

std::string render_bar_chart(const BarChart& chart);
std::string render_line_chart(const LineChart& chart);

// &, <, >, " and ' as entities (text and attribute values).
std::string escape_xml(std::string_view text);
// A short number for axis labels: "0.25", "1.2e+03".
std::string short_number(double v);

}  // namespace clinrl::eval
