// Node, CommonJS.
const torch = require('autodag');
const scenario = require('./scenario.cjs');

scenario
  .run(torch)
  .then((lines) => {
    for (const line of lines) console.log(`cjs: ${line}`);
    console.log('cjs: ok');
  })
  .catch((error) => {
    console.error(error);
    process.exit(1);
  });
