import isNumber from 'is-number'
import kleur from 'kleur'

console.log(kleur.green(`is 42 a number? ${isNumber(42)}`))
