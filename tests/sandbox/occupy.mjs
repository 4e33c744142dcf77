// Holds the sandbox's default ports (and the second sandbox's old ones) while the tests run, as
// another program on a developer's machine might: the tests must not depend on them being free.
// Ports already taken are left alone. Prints {"holding":[…]} once listening; stopped by its PID.
import net from 'node:net';

const ports = [9000, 9001, 9002, 8080, 9100, 9101, 9102, 8180];
const held = [];
await Promise.all(ports.map((port) => new Promise((resolve) => {
  const s = net.createServer((c) => c.destroy());
  s.once('error', resolve);
  s.listen(port, '127.0.0.1', () => { held.push(port); resolve(); });
})));
console.log(JSON.stringify({ holding: held.sort() }));
