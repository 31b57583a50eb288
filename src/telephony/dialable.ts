// Which targets a network could route: an E.164 number (a + and 8 to 15 digits) or a SIP URI.
// dial@v1 refuses anything else before dialing (Invalid Number); networks use the same rule.

export function isDialable(target: string): boolean {
  return /^\+[1-9]\d{6,14}$/.test(target) || /^sips?:[^\s@]+(@[^\s]+)?$/i.test(target);
}
