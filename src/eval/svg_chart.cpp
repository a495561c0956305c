#include "clinrl/eval/svg_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace clinrl::eval {
namespace {

// Bootstrap stds below this are rounding noise of identical resample means.
constexpr double kNoError = 1e-12;

const char* const kPalette[] = {"#2b6cb0", "#c05621", "#2f855a", "#6b46c1", "#b83280", "#2c7a7b"};

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

std::string value_text(double v, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

// A label cut to `max_chars` characters (whole UTF-8 sequences), with an ellipsis.
std::string shorten(const std::string& s, size_t max_chars) {
  size_t chars = 0, i = 0;
  while (i < s.size()) {
    if (chars == max_chars) return s.substr(0, i) + "\xE2\x80\xA6";
    unsigned char c = static_cast<unsigned char>(s[i]);
    i += c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    ++chars;
  }
  return s;
}

// Evenly spaced tick values covering [lo, hi].
std::vector<double> ticks(double lo, double hi, int count) {
  std::vector<double> out;
  for (int i = 0; i <= count; ++i) out.push_back(lo + (hi - lo) * i / count);
  return out;
}

// A "nice" tick step (1, 2 or 5 times a power of ten) giving about `target` intervals over `span`.
double nice_step(double span, int target) {
  double raw = span / target;
  double power = std::pow(10.0, std::floor(std::log10(raw)));
  double f = raw / power;
  return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * power;
}

// Multiples of `step` inside [lo, hi] (with a little tolerance at the ends).
std::vector<double> nice_ticks(double lo, double hi, double step) {
  std::vector<double> out;
  for (double t = std::ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step)
    out.push_back(std::abs(t) < step * 1e-9 ? 0.0 : t);
  return out;
}

}  // namespace

std::string escape_xml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string short_number(double v) {
  if (!std::isfinite(v)) return "n/a";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

std::string render_bar_chart(const BarChart& chart) {
  const double width = 800, label_w = 270, value_w = 130, row = 26, top = 34, bottom = 30;
  const double x0 = label_w, x1 = width - value_w, plot_w = x1 - x0;
  const double height = top + row * static_cast<double>(chart.bars.size()) + bottom;
  double max_v = chart.max_value;
  for (const auto& b : chart.bars) max_v = std::max(max_v, b.value + b.error);
  if (!(max_v > 0)) max_v = 1;
  auto x_of = [&](double v) { return x0 + plot_w * std::clamp(v, 0.0, max_v) / max_v; };

  std::ostringstream s;
  s << "<svg class=\"chart bar-chart\" width=\"" << num(width) << "\" height=\"" << num(height) << "\" viewBox=\"0 0 "
    << num(width) << ' ' << num(height) << "\" role=\"img\" aria-label=\"" << escape_xml(chart.title) << "\">\n";
  s << "<title>" << escape_xml(chart.title) << "</title>\n";
  s << "<text class=\"chart-title\" x=\"" << num(x0) << "\" y=\"20\">" << escape_xml(chart.title) << "</text>\n";
  const double plot_bottom = top + row * static_cast<double>(chart.bars.size());
  for (double t : ticks(0, max_v, 4)) {
    double x = x_of(t);
    s << "<line class=\"grid\" x1=\"" << num(x) << "\" y1=\"" << num(top - 4) << "\" x2=\"" << num(x) << "\" y2=\""
      << num(plot_bottom) << "\"/>\n";
    s << "<text class=\"tick\" x=\"" << num(x) << "\" y=\"" << num(plot_bottom + 16) << "\" text-anchor=\"middle\">"
      << short_number(t) << "</text>\n";
  }
  for (size_t i = 0; i < chart.bars.size(); ++i) {
    const Bar& b = chart.bars[i];
    const double y = top + row * static_cast<double>(i), mid = y + row / 2;
    s << "<g class=\"bar-row\"><title>" << escape_xml(b.label) << ": " << value_text(b.value, 4);
    if (b.error > kNoError) s << " \xC2\xB1 " << value_text(b.error, 4);
    s << "</title>\n";
    s << "<text class=\"label\" x=\"" << num(x0 - 8) << "\" y=\"" << num(mid + 4) << "\" text-anchor=\"end\">"
      << escape_xml(shorten(b.label, 38)) << "</text>\n";
    s << "<rect class=\"bar\" x=\"" << num(x0) << "\" y=\"" << num(y + 5) << "\" width=\""
      << num(x_of(b.value) - x0) << "\" height=\"" << num(row - 10) << "\"/>\n";
    if (b.error > kNoError) {
      double lo = x_of(b.value - b.error), hi = x_of(b.value + b.error);
      s << "<g class=\"errorbar\"><line x1=\"" << num(lo) << "\" y1=\"" << num(mid) << "\" x2=\"" << num(hi)
        << "\" y2=\"" << num(mid) << "\"/><line x1=\"" << num(lo) << "\" y1=\"" << num(mid - 5) << "\" x2=\""
        << num(lo) << "\" y2=\"" << num(mid + 5) << "\"/><line x1=\"" << num(hi) << "\" y1=\"" << num(mid - 5)
        << "\" x2=\"" << num(hi) << "\" y2=\"" << num(mid + 5) << "\"/></g>\n";
    }
    s << "<text class=\"value\" x=\"" << num(x1 + 8) << "\" y=\"" << num(mid + 4) << "\">" << value_text(b.value, 3);
    if (b.error > kNoError) s << " \xC2\xB1 " << value_text(b.error, 3);
    s << "</text></g>\n";
  }
  s << "</svg>\n";
  return s.str();
}

std::string render_line_chart(const LineChart& chart) {
  const double width = 540, height = 250, left = 64, right = 16, top = 34, bottom = 40;
  const double plot_w = width - left - right, plot_h = height - top - bottom;
  double x_lo = INFINITY, x_hi = -INFINITY, y_lo = INFINITY, y_hi = -INFINITY;
  for (const auto& series : chart.series)
    for (const auto& [x, y] : series.points) {
      if (!std::isfinite(x) || !std::isfinite(y)) continue;
      x_lo = std::min(x_lo, x);
      x_hi = std::max(x_hi, x);
      y_lo = std::min(y_lo, y);
      y_hi = std::max(y_hi, y);
    }
  const bool empty = !std::isfinite(x_lo);
  if (empty) x_lo = 0, x_hi = 1, y_lo = 0, y_hi = 1;
  if (x_hi == x_lo) x_lo -= 1, x_hi += 1;
  if (y_hi == y_lo) {
    double pad = std::abs(y_lo) > 0 ? std::abs(y_lo) * 0.1 : 0.5;
    y_lo -= pad, y_hi += pad;
  }
  // The y axis ends on ticks; the x axis spans the data, with ticks inside.
  const double y_step = nice_step(y_hi - y_lo, 4);
  y_lo = std::floor(y_lo / y_step + 1e-9) * y_step;
  y_hi = std::ceil(y_hi / y_step - 1e-9) * y_step;
  const double x_step = std::max(nice_step(x_hi - x_lo, 5), 1.0);  // steps are integers
  auto px = [&](double x) { return left + plot_w * (x - x_lo) / (x_hi - x_lo); };
  auto py = [&](double y) { return top + plot_h * (1 - (y - y_lo) / (y_hi - y_lo)); };

  std::ostringstream s;
  s << "<svg class=\"chart line-chart\" width=\"" << num(width) << "\" height=\"" << num(height) << "\" viewBox=\"0 0 "
    << num(width) << ' ' << num(height) << "\" role=\"img\" aria-label=\"" << escape_xml(chart.title) << "\">\n";
  s << "<title>" << escape_xml(chart.title) << "</title>\n";
  s << "<text class=\"chart-title\" x=\"" << num(left) << "\" y=\"20\">" << escape_xml(chart.title) << "</text>\n";
  s << "<rect class=\"frame\" x=\"" << num(left) << "\" y=\"" << num(top) << "\" width=\"" << num(plot_w)
    << "\" height=\"" << num(plot_h) << "\"/>\n";
  for (double t : nice_ticks(y_lo, y_hi, y_step)) {
    double y = py(t);
    s << "<line class=\"grid\" x1=\"" << num(left) << "\" y1=\"" << num(y) << "\" x2=\"" << num(left + plot_w)
      << "\" y2=\"" << num(y) << "\"/><text class=\"tick\" x=\"" << num(left - 6) << "\" y=\"" << num(y + 4)
      << "\" text-anchor=\"end\">" << short_number(t) << "</text>\n";
  }
  for (double t : nice_ticks(x_lo, x_hi, x_step))
    s << "<text class=\"tick\" x=\"" << num(px(t)) << "\" y=\"" << num(top + plot_h + 16)
      << "\" text-anchor=\"middle\">" << short_number(t) << "</text>\n";
  s << "<text class=\"axis-label\" x=\"" << num(left + plot_w / 2) << "\" y=\"" << num(height - 6)
    << "\" text-anchor=\"middle\">" << escape_xml(chart.x_label) << "</text>\n";
  if (empty)
    s << "<text class=\"tick\" x=\"" << num(left + plot_w / 2) << "\" y=\"" << num(top + plot_h / 2)
      << "\" text-anchor=\"middle\">no values</text>\n";
  for (size_t k = 0; k < chart.series.size(); ++k) {
    const auto& series = chart.series[k];
    const char* colour = kPalette[k % (sizeof kPalette / sizeof kPalette[0])];
    // Non-finite values (nulls in metrics.jsonl) break the line.
    std::vector<std::vector<std::pair<double, double>>> runs(1);
    for (const auto& p : series.points) {
      if (std::isfinite(p.first) && std::isfinite(p.second)) runs.back().push_back(p);
      else if (!runs.back().empty()) runs.emplace_back();
    }
    for (const auto& run : runs) {
      if (run.size() == 1) {
        s << "<circle class=\"point\" cx=\"" << num(px(run[0].first)) << "\" cy=\"" << num(py(run[0].second))
          << "\" r=\"3\" fill=\"" << colour << "\"/>\n";
      } else if (run.size() > 1) {
        s << "<polyline class=\"series\" fill=\"none\" stroke=\"" << colour << "\" points=\"";
        for (const auto& [x, y] : run) s << num(px(x)) << ',' << num(py(y)) << ' ';
        s << "\"/>\n";
      }
    }
    if (chart.series.size() > 1)
      s << "<text class=\"legend\" x=\"" << num(left + 8) << "\" y=\"" << num(top + 14 + 14 * static_cast<double>(k))
        << "\" fill=\"" << colour << "\">" << escape_xml(series.name) << "</text>\n";
  }
  s << "</svg>\n";
  return s.str();
}

}  // namespace clinrl::eval
