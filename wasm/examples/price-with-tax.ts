// price-with-tax: {"name": "Widget", "price": 9.99, "tax_rate": 0.2} → the product with tax and total, in cents-exact rounding.
import { jsonNumber, jsonString, output, quote, readString } from '../sdk/apprun';
export { alloc, dealloc, output_len, output_ptr } from '../sdk/apprun';

function cents(x: f64): f64 {
  return Math.round(x * 100) / 100;
}

export function handle(inPtr: usize, inLen: i32, ctxPtr: usize, ctxLen: i32): i32 {
  const input = readString(inPtr, inLen);
  const price = jsonNumber(input, 'price');
  if (isNaN(price) || price < 0) {
    output('input needs a non-negative "price"');
    return 1;
  }
  let rate = jsonNumber(input, 'tax_rate');
  if (isNaN(rate)) rate = 0.2;
  const tax = cents(price * rate);
  output(`{"name":${quote(jsonString(input, 'name'))},"price":${cents(price).toString()},"tax_rate":${rate.toString()},"tax":${tax.toString()},"total":${cents(price + tax).toString()}}`);
  return 0;
}
