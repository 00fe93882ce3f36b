/**
 * Go's `%.<precision>g` (strconv 'g' format): `precision` significant digits, trailing zeros
 * dropped, exponent form (`1e+03`) when the exponent is < -4 or >= the precision. docker's sizes
 * are printed this way, including the odd "1e+03kB".
 */
export function formatGoG(value: number, precision: number): string {
  if (value === 0) return '0';
  const sign = value < 0 ? '-' : '';
  const [mantissa, exponentText] = Math.abs(value).toExponential(precision - 1).split('e');
  const digits = mantissa.replace('.', '').replace(/0+$/, '');
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= precision) {
    const fraction = digits.slice(1);
    const exponentSign = exponent < 0 ? '-' : '+';
    return `${sign}${digits[0]}${fraction ? `.${fraction}` : ''}e${exponentSign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  const pointAt = exponent + 1;
  if (pointAt <= 0) return `${sign}0.${'0'.repeat(-pointAt)}${digits}`;
  if (pointAt >= digits.length) return `${sign}${digits}${'0'.repeat(pointAt - digits.length)}`;
  return `${sign}${digits.slice(0, pointAt)}.${digits.slice(pointAt)}`;
}
