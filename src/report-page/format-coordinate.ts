/**
 * @module report-page/format-coordinate
 * How the report pages write a number into an SVG attribute: rounded to one
 * decimal (a tenth of a pixel is below what a screen shows), without
 * trailing zeros.
 */

/** `12.345` → `"12.3"`, `40` → `"40"`. */
export function formatCoordinate(value: number): string {
  return (Math.round(value * 10) / 10).toString();
}
