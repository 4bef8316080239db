import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { COMMAND_PROSE } from '../test/leak-corpus.js';
import { Redactor } from './redact.js';
import { RedactingSpanProcessor } from './redact-span.js';

const R = '[REDACTED]';

describe('Redactor', () => {
  const redactor = new Redactor();

  it('masks whole values of secret keys', () => {
    expect(
      redactor.attributes({
        'http.request.header.authorization': ['Bearer abc'],
        'http.request.header.cookie': ['sid=1'],
        'http.response.header.set-cookie': ['sid=2'],
        'http.request.header.x-api-key': ['k-123'],
        'user.password': 'hunter2',
        'db.connection.secret': 'xyz',
        'oauth.access_token': 't',
        'user.email': 'a@b.io',
        'gen_ai.usage.input_tokens': 120,
        'http.route': '/users/:id',
      }),
    ).toEqual({
      'http.request.header.authorization': [R],
      'http.request.header.cookie': [R],
      'http.response.header.set-cookie': [R],
      'http.request.header.x-api-key': [R],
      'user.password': R,
      'db.connection.secret': R,
      'oauth.access_token': R,
      'user.email': R,
      'gen_ai.usage.input_tokens': 120,
      'http.route': '/users/:id',
    });
  });

  it('masks secrets inside values: query strings, URL credentials, bearer tokens, e-mail addresses', () => {
    expect(redactor.string('https://api.test/v1?user=7&token=abc&api_key=k1#top')).toBe(
      `https://api.test/v1?user=7&token=${R}&api_key=${R}#top`,
    );
    expect(redactor.string('token=abc&page=2')).toBe(`token=${R}&page=2`);
    expect(redactor.string('redis://admin:pa55@cache:6379/0')).toBe(`redis://${R}@cache:6379/0`);
    expect(redactor.string('failed with Bearer eyJhbGciOi.x.y')).toBe(`failed with Bearer ${R}`);
    expect(redactor.string('no user jane.doe+x@mail.example.com found')).toBe(`no user ${R} found`);
    expect(redactor.string('/users/42?page=3')).toBe('/users/42?page=3');
  });

  it('masks any credential after Bearer, and a base64 word after Basic, whatever its letters', () => {
    expect(redactor.string('Bearer abcdefghijklmnop')).toBe(`Bearer ${R}`);
    expect(redactor.string('retry with bearer qwertyuiop')).toBe(`retry with bearer ${R}`);
    expect(redactor.string('BEARER abcdefgh, then')).toBe(`BEARER ${R}, then`);
    expect(redactor.string('Basic abcdefghijkl')).toBe(`Basic ${R}`);
    // prose stays
    expect(redactor.string('bearer tokens expire; basic information')).toBe(
      'bearer tokens expire; basic information',
    );
    expect(redactor.string('token_type=bearer ann@example.com')).toBe(`token_type=bearer ${R}`);
  });

  it('masks e-mail addresses with letters of any script whole', () => {
    expect(redactor.string('bob@exämple.com')).toBe(R);
    expect(redactor.string('from bøb@example.com.')).toBe(`from ${R}.`);
    expect(redactor.string('ünïcödé.üser@bücher.example ok')).toBe(`${R} ok`);
    expect(redactor.string('пользователь@пример.рф')).toBe(R);
  });

  it('masks passwords in SQL and Redis commands', () => {
    for (const [sql, masked] of [
      ["ALTER USER app WITH PASSWORD 'pw1'", `ALTER USER app WITH PASSWORD '${R}'`],
      ["CREATE USER app IDENTIFIED BY 'pw2'", `CREATE USER app IDENTIFIED BY '${R}'`],
      ["SET PASSWORD FOR 'app'@'%' = 'pw3'", `SET PASSWORD FOR 'app'@'%' = '${R}'`],
      ["CREATE ROLE r PASSWORD = 'it''s'", `CREATE ROLE r PASSWORD = '${R}'`],
      ['ALTER ROLE r PASSWORD "pw5"', `ALTER ROLE r PASSWORD "${R}"`],
      ['ALTER ROLE r PASSWORD $$pw6$$', `ALTER ROLE r PASSWORD $$${R}$$`],
      ['ALTER USER u IDENTIFIED BY tiger;', `ALTER USER u IDENTIFIED BY ${R};`],
      ['AUTH default pw8', `AUTH ${R}`],
      ['HELLO 3 AUTH u pw9 SETNAME a', `HELLO 3 AUTH ${R} SETNAME a`],
      ['ACL SETUSER u on >pw10 ~*', `ACL SETUSER u on >${R} ~*`],
      ["ALTER USER u IDENTIFIED BY VALUES 'S:pw11'", `ALTER USER u IDENTIFIED BY VALUES '${R}'`],
      ['auth [2 other arguments]', 'auth [2 other arguments]'],
    ]) {
      expect(redactor.string(sql as string)).toBe(masked);
    }
    expect(redactor.string('Auth failed; password reset sent')).toBe(
      'Auth failed; password reset sent',
    );
  });

  it('masks secrets under one level of percent-encoding, in the original text', () => {
    expect(redactor.string('https://app/login?next=%2Fcb%3Ftoken%3DSECRET123%26x%3D1')).toBe(
      `https://app/login?next=%2Fcb%3Ftoken%3D${R}%26x%3D1`,
    );
    expect(redactor.string('next=https%3A%2F%2Fu%3Apw%40h%2F')).toBe(
      `next=https%3A%2F%2F${R}%40h%2F`,
    );
    expect(redactor.string('pass%77ord=hunter2hunter2&page=2')).toBe(`pass%77ord=${R}&page=2`);
    expect(redactor.string('q=%70assword%3Dhunter2')).toBe(`q=%70assword%3D${R}`);
    expect(redactor.string('/search?q=100%25%20off&page=2')).toBe('/search?q=100%25%20off&page=2');
  });

  it('reads text as its reader would (escapes, invisible and full-width characters), masking in place', () => {
    // JSON inside a JSON string: only the value goes, the escapes around it stay
    expect(redactor.string('{\\"user\\":\\"ann\\",\\"password\\":\\"hunter2hunter\\"}')).toBe(
      `{\\"user\\":\\"ann\\",\\"password\\":\\"${R}\\"}`,
    );
    expect(redactor.string('{"pass\\u0077ord":"hunter2hunter"}')).toBe(`{"pass\\u0077ord":"${R}"}`);
    expect(redactor.string('pass\u200bword=hunter2hunter&page=2')).toBe(
      `pass\u200bword=${R}&page=2`,
    );
    expect(redactor.string('ｐａｓｓｗｏｒｄ＝hunter2hunter')).toBe(`ｐａｓｓｗｏｒｄ＝${R}`);
    expect(redactor.string('mail carol\u200b@corp.example now')).toBe(`mail ${R} now`);
    // in one case, and after a Ruby or PHP arrow
    expect(redactor.string('PaSsWoRd=hunter2hunter')).toBe(`PaSsWoRd=${R}`);
    expect(redactor.string('{"password" => "hunter2hunter", "page" => 2}')).toBe(
      `{"password" => "${R}", "page" => 2}`,
    );
    // nothing to read differently: the same string back
    const path = 'C:\\Users\\build\\token-cache\\index.json';
    expect(redactor.string(path)).toBe(path);
    expect(redactor.isSecretKey('user\u200bPass\u00adword')).toBe(true);
    expect(redactor.isSecretKey('ｕｓｅｒ．ｐａｓｓｗｏｒｄ')).toBe(true);
  });

  it('masks card numbers given as numbers, and the value after a secret header in rawHeaders', () => {
    expect(
      redactor.attributes({
        'order.pan': 4111111111111111,
        'order.pans': [5500000000000004, 42],
        'order.total': 1234567890123,
        'http.raw_headers': ['Host', 'api.example.com', 'X-Api-Key', 'Hunt3rPw99'],
        'app.tags': ['auth', 'billing', 'search'],
        // an argument list is no rawHeaders: the item after `Cl1-pass-66` is judged on its own
        'process.command_args': ['node', 'app.js', '--password', 'Cl1-pass-66', '--mode=fast'],
      }),
    ).toEqual({
      'order.pan': R,
      'order.pans': [R, 42],
      'order.total': 1234567890123,
      'http.raw_headers': ['Host', 'api.example.com', 'X-Api-Key', R],
      'app.tags': ['auth', 'billing', 'search'],
      'process.command_args': ['node', 'app.js', '--password', R, '--mode=fast'],
    });
  });

  it('masks the text of XML elements with a secret name, and YAML values on the next lines', () => {
    expect(redactor.string('<Password>pw1</Password><User>ann</User>')).toBe(
      `<Password>${R}</Password><User>ann</User>`,
    );
    expect(redactor.string('<ns:ApiToken a="1">t2</ns:ApiToken>')).toBe(
      `<ns:ApiToken a="1">${R}</ns:ApiToken>`,
    );
    expect(redactor.string('<secret><![CDATA[a<b]]></secret>')).toBe(
      `<secret><![CDATA[${R}]]></secret>`,
    );
    expect(redactor.string('<Key>a.jpg</Key>')).toBe('<Key>a.jpg</Key>');
    // (`key="…"` is masked as the query parameter `key` is)
    expect(redactor.string('<add key="ApiKey" value="k1"/><add key="Mode" value="m"/>')).toBe(
      `<add key="${R}" value="${R}"/><add key="${R}" value="m"/>`,
    );
    expect(redactor.string("<property name='db.password' value='p2' />")).toBe(
      `<property name='db.password' value='${R}' />`,
    );
    expect(redactor.string('password:\n  hunter2hunter2')).toBe(`password:\n  ${R}`);
    expect(redactor.string('db:\n  password:\n    pw\n  host: h')).toBe(
      `db:\n  password:\n    ${R}\n  host: h`,
    );
    expect(redactor.string('token: |\n  a\n  b\nport: 1')).toBe(`token: |\n  ${R}\nport: 1`);
    // a nested mapping is judged key by key
    expect(redactor.string('auth:\n  user: ann\n  password: pw')).toBe(
      `auth:\n  user: ann\n  password: ${R}`,
    );
  });

  it('takes extra keys, patterns and a replacement', () => {
    const custom = new Redactor({
      keys: ['ssn', /^customer\./],
      patterns: [/\b\d{4}-\d{4}-\d{4}-\d{4}\b/],
      replacement: '***',
    });
    expect(
      custom.attributes({
        'person.ssn': '1',
        'customer.name': 'Ann',
        note: 'card 1111-2222-3333-4444',
        ok: 'yes',
      }),
    ).toEqual({ 'person.ssn': '***', 'customer.name': '***', note: 'card ***', ok: 'yes' });
  });

  it('leaves values that only look like a secret: a leading @, an = without a secret name', () => {
    expect(redactor.string('@ai-orchestrator/fastify-monitoring - onRequest')).toBe(
      '@ai-orchestrator/fastify-monitoring - onRequest',
    );
    expect(redactor.string('a=b&page=2')).toBe('a=b&page=2');
    expect(redactor.string('mailto:ann@example.org')).toBe(`mailto:${R}`);
    const list = ['GET', '/a'];
    expect(redactor.attributes({ 'http.methods': list })['http.methods']).toBe(list);
    expect(redactor.attributes({ 'x.list': ['ok', 'token=1'] })['x.list']).toEqual([
      'ok',
      `token=${R}`,
    ]);
  });

  it('judges a key by its last words, whatever the spelling', () => {
    for (const key of [
      'openai_api_key',
      'github_token',
      'user_password',
      'userPassword',
      'http.request.header.x-goog-api-key',
      'http.request.header.x-auth-token',
      'http.request.header.x-hub-signature-256',
      'enduser.id',
      'AWS_SECRET_ACCESS_KEY',
      'clientSecret',
    ]) {
      expect(redactor.isSecretKey(key), key).toBe(true);
    }
    for (const key of [
      'gen_ai.usage.input_tokens',
      'gen_ai.request.max_tokens',
      'gen_ai.token.type',
      'messaging.kafka.message.key',
      'http.route',
      'user_agent.original',
      'workflow.id',
    ]) {
      expect(redactor.isSecretKey(key), key).toBe(false);
    }
  });

  it('masks whole unquoted values, names set apart, and a value named by its name field; keeps query-only names and placeholders', () => {
    for (const [text, masked] of [
      // a value runs to a line break, `;`, a closing quote or bracket, or the next pair
      ['password: correct horse battery staple', `password: ${R}`],
      ['db.password=my pass phrase', `db.password=${R}`],
      ['Password=my secret pw;Server=x', `Password=${R};Server=x`],
      ['password=Xy7!(k9)Qz', `password=${R}`],
      ['DB_PASSWORD=p@ss,word99', `DB_PASSWORD=${R}`],
      ['password=(Hunt3r2)', `password=${R}`],
      ['PWD={S3cretPw};UID=sa', `PWD={${R}};UID=sa`],
      ['password: `hunter2x`', `password: ${R}`],
      ['password=abc user=bob', `password=${R} user=bob`],
      ['{password: hunter2, user: bob}', `{password: ${R}, user: bob}`],
      // in a sentence, a value is one word: prose after it stays
      [
        'Sure! Set the token: abc in your .env, then restart the server.',
        `Sure! Set the token: ${R} in your .env, then restart the server.`,
      ],
      ['failed: password: correct horse battery staple', `failed: password: ${R}`],
      ['{"msg":"login password=abc def","n":1}', `{"msg":"login password=${R} def","n":1}`],
      ['token=abc&page=2', `token=${R}&page=2`],
      // names far from their separator, in brackets, in Markdown, in a Makefile
      ['password      = hunter2x', `password      = ${R}`],
      ['password\t\t\t\t= hunter2x', `password\t\t\t\t= ${R}`],
      ['"password"    :    "hunter2x"', `"password"    :    "${R}"`],
      ['user[password]=hunter2x&user[role]=a', `user[password]=${R}&user[role]=a`],
      ['**Password:** hunter2x', `**Password:** ${R}`],
      ['**Password**: hunter2x', `**Password**: ${R}`],
      ['- **API key**: 8f3a9c2e7d1b', `- **API key**: ${R}`],
      ['__token__: abc123def456', `__token__: ${R}`],
      ['PASSWORD := hunter2x', `PASSWORD := ${R}`],
      ['PASSWORD ?= hunter2x', `PASSWORD ?= ${R}`],
      // the name in one field, the secret in the next
      ['{"name":"DB_PASSWORD","value":"Hunt3rPw"}', `{"name":"DB_PASSWORD","value":"${R}"}`],
      ['env:\n- name: DB_PASSWORD\n  value: Hunt3rPw', `env:\n- name: DB_PASSWORD\n  value: ${R}`],
      [
        '{"key":"api_key","value":"Hunt3rPw","enabled":true}',
        `{"key":"api_key","value":"${R}","enabled":true}`,
      ],
      ['{"name":"HOST","value":"db"}', '{"name":"HOST","value":"db"}'],
      // code, key, sig, session, sid: secrets in a query string only
      ['/callback?code=abc123def&state=x', `/callback?code=${R}&state=x`],
      ['?key=AIzaSyabc', `?key=${R}`],
      ['code=abc123def', `code=${R}`],
      [
        "{ errno: -111, code: 'ECONNREFUSED', syscall: 'connect' }",
        "{ errno: -111, code: 'ECONNREFUSED', syscall: 'connect' }",
      ],
      ['upstream returned status code: 503', 'upstream returned status code: 503'],
      ['{"error":{"code":"rate_limit_exceeded"}}', '{"error":{"code":"rate_limit_exceeded"}}'],
      [
        'produced message key=order-42 partition=3 offset=1187',
        'produced message key=order-42 partition=3 offset=1187',
      ],
      // bind placeholders hold no value
      [
        'SELECT * FROM sessions WHERE user_id = $1 AND session_id = $2',
        'SELECT * FROM sessions WHERE user_id = $1 AND session_id = $2',
      ],
      [
        'WHERE password = ? OR password = :pw OR password = @p1',
        'WHERE password = ? OR password = :pw OR password = @p1',
      ],
      ['password=@Hunt3r', `password=${R}`],
    ]) {
      expect(redactor.string(text as string), text).toBe(masked);
    }
  });

  it('masks a value written before its name, in the same object or list item only', () => {
    for (const [text, masked] of [
      ['{"value":"Hunt3rPw","name":"DB_PASSWORD"}', `{"value":"${R}","name":"DB_PASSWORD"}`],
      ['{"Value":"Hunt3rPw","Name":"api_key"}', `{"Value":"${R}","Name":"api_key"}`],
      ['value=Hunt3rPw&name=api_key', `value=${R}&name=api_key`],
      ['/cb?value=Hunt3rPw&name=token&page=2', `/cb?value=${R}&name=token&page=2`],
      ['- value: Hunt3rPw\n  name: API_KEY\n', `- value: ${R}\n  name: API_KEY\n`],
      [
        '{"value":"Hunt3rPw","type":"secret","key":"client_secret"}',
        `{"value":"${R}","type":"secret","key":"client_secret"}`,
      ],
      [
        '[{"value":"Hunt3rPw","name":"X_TOKEN"},{"value":"db","name":"HOST"}]',
        `[{"value":"${R}","name":"X_TOKEN"},{"value":"db","name":"HOST"}]`,
      ],
      // another name, another object, another YAML item
      ['{"value":"42","name":"retries"}', '{"value":"42","name":"retries"}'],
      ['[{"value":"on"},{"name":"password"}]', '[{"value":"on"},{"name":"password"}]'],
      [
        '- value: blue\n  name: color\n- value: x\n  name: HOST\n',
        '- value: blue\n  name: color\n- value: x\n  name: HOST\n',
      ],
      ['- value: on\n- name: password\n', '- value: on\n- name: password\n'],
      // a YAML block before the name
      [
        '- value: |\n    Hunt3rPw\n    line two\n  name: API_KEY\n',
        `- value: |\n    ${R}\n  name: API_KEY\n`,
      ],
      ['- value:\n    Hunt3rPw\n  name: API_KEY\n', `- value:\n    ${R}\n  name: API_KEY\n`],
      ['- value: |\n    text\n  name: color\n', '- value: |\n    text\n  name: color\n'],
    ]) {
      expect(redactor.string(text as string), text).toBe(masked);
    }
    // a length bound that cuts the name off takes the value before it too
    const short = new Redactor({ maxLength: 32 });
    expect(short.string('{"value":"Hunt3rPw","name":"DB_PASSWORD"}')).toBe(
      `{"value":"${R}","name":"[TRUNCATED 13 chars]`,
    );
    expect(short.string('{"value":"Hunt3rPw","type":"x","name":"DB_PASSWORD"}')).toBe(
      `{"value":"${R}","type":"x","[TRUNCATED 20 chars]`,
    );
    expect(short.string('{"value":"Hunt3rPw"},{"name":"x","a":1}')).toBe(
      '{"value":"Hunt3rPw"},{"name":"x"[TRUNCATED 7 chars]',
    );
    expect(short.string('{"value":"Hunt3rPw","name":"x","a":1}')).toBe(
      '{"value":"Hunt3rPw","name":"x","[TRUNCATED 5 chars]',
    );
  });

  it('masks a passphrase with a colon to the end of its line; a comma or a name= pair ends it', () => {
    for (const [text, masked] of [
      ['password: correct horse: battery staple', `password: ${R}`],
      ['failed: password: correct horse: battery staple', `failed: password: ${R}`],
      ['password: correct horse: battery\nhost: db', `password: ${R}\nhost: db`],
      ['password: abc, user: bob', `password: ${R}, user: bob`],
      ['password: abc user=bob', `password: ${R} user=bob`],
      // a log line's next field ends it (`msg:`, `user:`, `status:`) ...
      ['password: abc user: bob', `password: ${R} user: bob`],
      [
        'user=ann password=abc123 msg: login failed for ann',
        `user=ann password=${R} msg: login failed for ann`,
      ],
      ['password=abc123 reason: expired', `password=${R} reason: expired`],
      ['password=abc123 note: see docs', `password=${R} note: see docs`],
      ['password=abc123 Status: 401', `password=${R} Status: 401`],
      // ... the trade-off: other `name: value` pairs parted by blanks alone read as one passphrase
      ['password: abc owner: bob', `password: ${R}`],
      // after `=` too: a word with a colon does not end the passphrase (`my pass: phrase`)
      ['password=my pass: phrase', `password=${R}`],
      ['password=correct horse: battery staple user=ann', `password=${R} user=ann`],
      ['DB_PASSWORD = open sesame: now', `DB_PASSWORD = ${R}`],
      ['password := my horse:battery', `password := ${R}`],
      ['password=abc, user: bob', `password=${R}, user: bob`],
      // (the pin moved: `status: ok` is a log field, kept)
      ['token=abc status: ok', `token=${R} status: ok`],
      // prose keeps its words: a sentence's punctuation, a colon inside a word (`12:00`)
      ['retried: token: expired at 12:00', `retried: token: ${R} at 12:00`],
      [
        'Note: the password field is required: see the docs.',
        'Note: the password field is required: see the docs.',
      ],
    ]) {
      expect(redactor.string(text as string), text).toBe(masked);
    }
  });

  it('masks multipart fields named without quotes, references encoded twice, cards with doubled spaces', () => {
    for (const [text, masked] of [
      [
        'Content-Disposition: form-data; name=password\r\n\r\nS3cret-Value-77\r\n--b--',
        `Content-Disposition: form-data; name=password\r\n\r\n${R}\r\n--b--`,
      ],
      [
        "form-data; Name='api_key'\n\nS3cret-Value-78\n--b--",
        `form-data; Name='api_key'\n\n${R}\n--b--`,
      ],
      [
        'form-data; name=avatar; filename="token.png"\n\nPNG\n--b--',
        'form-data; name=avatar; filename="token.png"\n\nPNG\n--b--',
      ],
      ['password&amp;#61;S3cr3t-Twice-19', `password&amp;#61;${R}`],
      [
        '{&amp;quot;password&amp;quot;:&amp;quot;S3cr3t-Twice-20&amp;quot;}',
        `{&amp;quot;password&amp;quot;:&amp;quot;${R}&amp;quot;}`,
      ],
      ['Tom &amp;amp; Jerry', 'Tom &amp;amp; Jerry'],
      ['card 4111  1111  1111  1111 ok', `card ${R} ok`],
      ['card 4111 1111  1111 1111 ok', `card ${R} ok`],
      ['card 3782   822463   10005 ok', `card ${R} ok`],
      // four blanks part columns, not a number's groups; a number failing Luhn stays
      ['4111    1111    1111    1111', '4111    1111    1111    1111'],
      ['2024  0511  1200  3345', '2024  0511  1200  3345'],
    ]) {
      expect(redactor.string(text as string), text).toBe(masked);
    }
  });

  it('masks the value of a call or subscript whose first argument names a secret', () => {
    for (const [text, masked] of [
      ["define('AUTH_KEY', 'put-your-unique-phrase-here');", `define('AUTH_KEY', '${R}');`],
      ["define( 'LOGGED_IN_SALT',  'wp-salt-x' );", `define( 'LOGGED_IN_SALT',  '${R}' );`],
      ['setenv("DB_PASSWORD", "Hunt3rPw", 1)', `setenv("DB_PASSWORD", "${R}", 1)`],
      ['os.Setenv("API_TOKEN", "Hunt3rPw")', `os.Setenv("API_TOKEN", "${R}")`],
      ["ENV.fetch('STRIPE_SECRET_KEY', 'Hunt3rPw')", `ENV.fetch('STRIPE_SECRET_KEY', '${R}')`],
      ['os.environ["API_TOKEN"] = "Hunt3rPw"', `os.environ["API_TOKEN"] = "${R}"`],
      ["$_ENV['db.password']='Hunt3rPw';", `$_ENV['db.password']='${R}';`],
      // a name that is none, a value that is no string, SQL's IN list
      ["define('WP_DEBUG', true)", "define('WP_DEBUG', true)"],
      ["define('DB_NAME', 'wordpress')", "define('DB_NAME', 'wordpress')"],
      ['setenv("DB_PASSWORD", pw)', 'setenv("DB_PASSWORD", pw)'],
      ['os.environ["HOME"] = "/root"', 'os.environ["HOME"] = "/root"'],
      [
        "SELECT * FROM settings WHERE name IN ('api_key', 'region')",
        "SELECT * FROM settings WHERE name IN ('api_key', 'region')",
      ],
      ["if ('token', 'x')", "if ('token', 'x')"],
    ]) {
      expect(redactor.string(text as string), text).toBe(masked);
    }
  });

  it('keeps the arguments of translation calls, whose first argument is a label', () => {
    for (const text of [
      "__('Password', 'my-plugin')",
      '__("Password", "my-plugin")',
      "_e( 'Password', 'my-plugin' )",
      "_x('Token', 'noun', 'my-plugin')",
      "_n('Password', 'Passwords', 2, 'my-plugin')",
      "esc_html__('Secret', 'my-plugin')",
      "esc_attr_e('Password', 'my-plugin')",
      "i18n.t('password', 'Password')",
      "$t('token', 'Token')",
      'gettext("password", "x")',
      "ngettext('token', 'tokens', 2)",
      "pgettext('password', 'label')",
      "_('password', 'Password')",
      "intl.formatMessage('password', 'Password')",
      "t('password', { defaultValue: 'Password' })",
      "i18n.t('api_key', 'API key')",
      "i18n.t('login.password', 'Password')",
      "t('api_key', 'API key')",
      "t('api_key', 'api-key')",
      "ngettext('password', 'Passwords', 2)",
      "i18n.t('password', 'fr')",
      "$t('password', 'fr')",
      "t('password', 'pt-BR')",
      "_x('Password', 'input label', 'my-plugin')",
      "esc_html_x('Password', 'login form', 'woocommerce')",
    ]) {
      expect(redactor.string(text), text).toBe(text);
    }
    // a name any function or method may have (`t`, `tr`, `_`, `trans`, `store.t`): its second
    // argument is kept only when it is the label again; WordPress's and gettext's also when it is
    // a text domain or a context (lowercase words, no digits)
    for (const [text, masked] of [
      ['tr("api_key", "abc123secret")', `tr("api_key", "${R}")`],
      ["_('DB_PASSWORD', 'hunter2')", `_('DB_PASSWORD', '${R}')`],
      ['translate("token", "abc123secret")', `translate("token", "${R}")`],
      ["trans('password', 'abc123secret')", `trans('password', '${R}')`],
      ['formatMessage("password", "abc123secret")', `formatMessage("password", "${R}")`],
      ["client.t('password', 'hunter2')", `client.t('password', '${R}')`],
      ["store.t('token', 'abc123secret')", `store.t('token', '${R}')`],
      ["this.t('token', 'abc123secret')", `this.t('token', '${R}')`],
      ["t('password', 'hunter2')", `t('password', '${R}')`],
      ['i18n.t("api_key", "abc123secret")', `i18n.t("api_key", "${R}")`],
      ["__('DB_PASSWORD', 'hunter2')", `__('DB_PASSWORD', '${R}')`],
      ["esc_html__('Secret', 'Hunt3r-pw')", `esc_html__('Secret', '${R}')`],
      // the label again means nothing more: no digits, no symbols (`Password123`, `API-KEY-1`)
      ["t('password', 'Password123')", `t('password', '${R}')`],
      ["_('api_key', 'API-KEY-1')", `_('api_key', '${R}')`],
      ['tr("secret", "Secret#2024")', `tr("secret", "${R}")`],
      // gettext by its exact names; ngettext's second argument is the plural: the label again
      ["mygettext('password', 'swordfish')", `mygettext('password', '${R}')`],
      ["ngettext('password', 'hunter', 2)", `ngettext('password', '${R}', 2)`],
      ["_n('Password', 'my-plugin', 2)", `_n('Password', '${R}', 2)`],
      // a context with blanks only for the _x family, before a text domain
      ["_x('Password', 'input label')", `_x('Password', '${R}')`],
      ["__('Password', 'input label', 'my-plugin')", `__('Password', '${R}', 'my-plugin')`],
      ["t('password', 'f1')", `t('password', '${R}')`],
      // the trade-offs: a default text other than the label is masked (it may be a secret) ...
      ["t('password', 'Enter your password')", `t('password', '${R}')`],
      ["_('password', 'fallback')", `_('password', '${R}')`],
      // ... and a secret in small letters alone passes as a WordPress text domain
      ["__('DB_PASSWORD', 'swordfish')", "__('DB_PASSWORD', 'swordfish')"],
    ]) {
      expect(redactor.string(text as string), text).toBe(masked);
    }
    // a call that reads or sets a secret by name still has its value masked
    expect(redactor.string("getenv('API_TOKEN', 'fallback-pw')")).toBe(
      `getenv('API_TOKEN', '${R}')`,
    );
    expect(redactor.string("config.get('db.password', 'Hunt3rPw')")).toBe(
      `config.get('db.password', '${R}')`,
    );
  });

  it('masks the value a command sets by a name parted from it by blanks', () => {
    for (const [text, masked] of [
      ['setenv DB_PASSWORD hunter2', `setenv DB_PASSWORD ${R}`],
      ['setenv DB_PASSWORD "hunter 2"', `setenv DB_PASSWORD "${R}"`],
      ['launchctl setenv API_TOKEN Hunt3rPw', `launchctl setenv API_TOKEN ${R}`],
      ['SetEnv DB_PASSWORD Hunt3rPw', `SetEnv DB_PASSWORD ${R}`],
      ['set -gx API_TOKEN Hunt3rPw', `set -gx API_TOKEN ${R}`],
      ['set -Ux API_TOKEN Hunt3rPw; echo ok', `set -Ux API_TOKEN ${R}; echo ok`],
      ['set --export --global API_TOKEN two words', `set --export --global API_TOKEN ${R}`],
      ['set API_TOKEN Hunt3rPw', `set API_TOKEN ${R}`],
      ['setx API_TOKEN Hunt3rPw /M', `setx API_TOKEN ${R} /M`],
      ['ENV DB_PASSWORD Hunt3rPw', `ENV DB_PASSWORD ${R}`],
      ['ENV DB_PASSWORD my pass phrase \\\n  && x', `ENV DB_PASSWORD ${R} \\\n  && x`],
      ['Step 3/7 : ENV DB_PASSWORD Hunt3rPw', `Step 3/7 : ENV DB_PASSWORD ${R}`],
      ['{"cmd":"ENV DB_PASSWORD Hunt3rPw"}', `{"cmd":"ENV DB_PASSWORD ${R}"}`],
      ['ENV DB_PASSWORD=Hunt3rPw OTHER=y', `ENV DB_PASSWORD=${R} OTHER=y`],
      ['ARG SECRET_KEY=Hunt3rPw', `ARG SECRET_KEY=${R}`],
      ['fastcgi_param DB_PASSWORD Hunt3rPw;', `fastcgi_param DB_PASSWORD ${R};`],
      ['  proxy_set_header X-Api-Key Hunt3rPw;', `  proxy_set_header X-Api-Key ${R};`],
      ['git config user.password Hunt3rPw', `git config user.password ${R}`],
      [
        'npm config set //registry.npmjs.org/:_authToken Hunt3rPw',
        `npm config set //registry.npmjs.org/:_authToken ${R}`,
      ],
      ['yarn config set npmAuthToken Hunt3rPw', `yarn config set npmAuthToken ${R}`],
      [
        'machine api.example.com login ann password Hunt3rPw',
        `machine api.example.com login ann password ${R}`,
      ],
      [
        'machine api.heroku.com\n  login ann\n  password Hunt3rPw\n',
        `machine api.heroku.com\n  login ann\n  password ${R}\n`,
      ],
      // no value, another name, a reference to another variable, prose
      ['unsetenv DB_PASSWORD', 'unsetenv DB_PASSWORD'],
      ['setenv PATH /usr/local/bin', 'setenv PATH /usr/local/bin'],
      ['set -e API_TOKEN', 'set -e API_TOKEN'],
      ['set -euo pipefail', 'set -euo pipefail'],
      ['export -n API_TOKEN', 'export -n API_TOKEN'],
      ['ENV NODE_ENV production', 'ENV NODE_ENV production'],
      ['ENV DB_PASSWORD_FILE /run/secrets/db', 'ENV DB_PASSWORD_FILE /run/secrets/db'],
      [
        'proxy_set_header Authorization $http_authorization;',
        'proxy_set_header Authorization $http_authorization;',
      ],
      ['setx API_TOKEN %VAULT_TOKEN%', 'setx API_TOKEN %VAULT_TOKEN%'],
      ['Note: set API_TOKEN before you start', 'Note: set API_TOKEN before you start'],
      ['set token expiry to 5 minutes', 'set token expiry to 5 minutes'],
      [
        'the machine learning password policy was updated',
        'the machine learning password policy was updated',
      ],
    ]) {
      expect(redactor.string(text as string), text).toBe(masked);
    }
  });

  it('reads a command value to its logical end, whatever stands between name and value', () => {
    const S = 'abc123secret';
    for (const [text, masked] of [
      // netrc tokens in any order, with other tokens between
      [
        `machine api.example.com password ${S} login ann`,
        `machine api.example.com password ${R} login ann`,
      ],
      [
        `machine api.example.com login ann account x password ${S}`,
        `machine api.example.com login ann account ${R} password ${R}`,
      ],
      [
        `machine api.example.com port 443 login ann password ${S}`,
        `machine api.example.com port 443 login ann password ${R}`,
      ],
      [`machine 10.0.0.7 password ${S}`, `machine 10.0.0.7 password ${R}`],
      [
        `machine a.example.com password\nmachine b.example.com login ann password ${S}`,
        `machine a.example.com password\nmachine b.example.com login ann password ${R}`,
      ],
      [`default\n  login ann\n  password ${S}`, `default\n  login ann\n  password ${R}`],
      // git's subcommand and flags with an argument, npm's flags and `npm set`
      [`git config set user.password ${S}`, `git config set user.password ${R}`],
      [
        `git config --type string user.password ${S}`,
        `git config --type string user.password ${R}`,
      ],
      [`git config --comment x user.password ${S}`, `git config --comment x user.password ${R}`],
      [`git config set --global user.password ${S}`, `git config set --global user.password ${R}`],
      [
        `npm config set --location user //r/:_authToken ${S}`,
        `npm config set --location user //r/:_authToken ${R}`,
      ],
      [
        `npm set //registry.npmjs.org/:_authToken ${S}`,
        `npm set //registry.npmjs.org/:_authToken ${R}`,
      ],
      // escapes, quotes inside a word, line continuations
      [`setenv DB_PASSWORD abc\\ 123secret`, `setenv DB_PASSWORD ${R}`],
      [`ENV DB_PASSWORD abc \\\n    123secret`, `ENV DB_PASSWORD ${R}`],
      [`ENV DB_PASSWORD abc\\def123secret`, `ENV DB_PASSWORD ${R}`],
      ['ENV DB_PASSWORD Tr0ub4dor"&3xyz', `ENV DB_PASSWORD ${R}`],
      [`proxy_set_header Authorization Basic\\ ${S};`, `proxy_set_header Authorization ${R};`],
      [`proxy_set_header Authorization "Basic ${S}";`, `proxy_set_header Authorization "${R}";`],
      [`setenv DB_PASSWORD \\\n  ${S}`, `setenv DB_PASSWORD \\\n  ${R}`],
      [`setenv DB_PASSWORD "abc"${S}`, `setenv DB_PASSWORD "${R}`],
      // any gap between name and value
      [`setenv DB_PASSWORD${' '.repeat(35)}${S}`, `setenv DB_PASSWORD${' '.repeat(35)}${R}`],
      [`setenv${'\t'.repeat(40)}DB_PASSWORD ${S}`, `setenv${'\t'.repeat(40)}DB_PASSWORD ${R}`],
      // Apache, nginx and Caddy headers; a prompt or a list marker before a bare `set`
      [`RequestHeader set X-Api-Key ${S}`, `RequestHeader set X-Api-Key ${R}`],
      [`Header set X-Api-Key ${S}`, `Header set X-Api-Key ${R}`],
      [`Header always set X-Api-Key ${S}`, `Header always set X-Api-Key ${R}`],
      [`add_header X-Api-Key ${S};`, `add_header X-Api-Key ${R};`],
      [`header_up X-Api-Key ${S}`, `header_up X-Api-Key ${R}`],
      [`$ set API_TOKEN ${S}`, `$ set API_TOKEN ${R}`],
      [`- set API_TOKEN ${S}`, `- set API_TOKEN ${R}`],
      // articles are no prose cue: a passphrase may start with one
      ['ENV DB_PASSPHRASE the quick brown fox', `ENV DB_PASSPHRASE ${R}`],
    ]) {
      expect(redactor.string(text as string), text).toBe(masked);
    }
  });

  it('keeps prose that names a command, a variable and a netrc word', () => {
    for (const text of [
      ...COMMAND_PROSE,
      'Run npm config set //registry/:_authToken with your token',
      'git config --get user.password',
      'git config --unset user.password',
    ]) {
      expect(redactor.string(text), text).toBe(text);
    }
    // the trade-off: a value in small letters before a prose word reads as prose, after a
    // command without flags inside a sentence; where a command starts, with flags, or alone, it
    // is masked
    expect(redactor.string('Check that setenv DB_PASSWORD swordfish is set')).toBe(
      'Check that setenv DB_PASSWORD swordfish is set',
    );
    expect(redactor.string('setenv DB_PASSWORD swordfish is set')).toBe(
      `setenv DB_PASSWORD ${R} is set`,
    );
    expect(redactor.string('ls; setenv DB_PASSWORD swordfish and more')).toBe(
      `ls; setenv DB_PASSWORD ${R} and more`,
    );
    // where a command starts, a line-long value after a name is masked, prose or not
    expect(redactor.string('set PASSWORD policy to strict')).toBe(`set PASSWORD ${R}`);
    expect(redactor.string('proxy_set_header Authorization header is forwarded')).toBe(
      `proxy_set_header Authorization ${R} is forwarded`,
    );
    expect(redactor.string('setenv DB_PASSWORD swordfish')).toBe(`setenv DB_PASSWORD ${R}`);
    expect(redactor.string('set -gx API_TOKEN love to code')).toBe(`set -gx API_TOKEN ${R}`);
    // and a netrc password in small letters followed by a word that is no netrc token, after a
    // host that is not host-like, on one line; after a host-like one it is masked
    expect(redactor.string('machine learning login page password reset flow')).toBe(
      'machine learning login page password reset flow',
    );
    expect(redactor.string('machine api.example.com password reset flow')).toBe(
      `machine api.example.com password ${R} flow`,
    );
    expect(redactor.string('machine api.example.com login ann password hunter')).toBe(
      `machine api.example.com login ann password ${R}`,
    );
    // a line-long value where a command starts is masked even when it reads as prose (it may be a
    // passphrase: `ENV DB_PASSPHRASE to be or not to be`); inside a sentence it is kept
    expect(redactor.string('ENV SECRET_KEY must be provided')).toBe(`ENV SECRET_KEY ${R}`);
    expect(redactor.string('The ENV SECRET_KEY must be provided')).toBe(
      'The ENV SECRET_KEY must be provided',
    );
  });

  it('judges a prose word only whole, in small letters, before more words', () => {
    for (const [text, value] of [
      ['setenv DB_PASSWORD Now!2024', 'Now!2024'],
      ['setenv DB_PASSWORD Here?123', 'Here?123'],
      ['ENV API_KEY to:ken99', 'to:ken99'],
      ['ENV DB_PASSWORD Still!Alive9', 'Still!Alive9'],
      ['git config user.password Only!4me', 'Only!4me'],
      ['setenv DB_PASSWORD Yet(another)1', 'Yet(another)1'],
      ['ENV DB_PASSWORD As[1]x', 'As[1]x'],
      ['setenv DB_PASSWORD isé123', 'isé123'],
      ['setenv DB_PASSWORD Will', 'Will'],
      ['setenv DB_PASSWORD will', 'will'],
      ['setenv DB_PASSWORD Is set', 'Is'],
    ]) {
      expect(redactor.string(text as string), text).toBe(
        (text as string).replace(value as string, R),
      );
    }
    expect(redactor.string('git config user.password is not supported')).toBe(
      'git config user.password is not supported',
    );
  });

  it('reads a docker build step, a shell trace, a prompt, -c and Running: as a command start', () => {
    for (const [text, masked] of [
      ['Step 3/7 : ENV DB_PASSWORD open and shut', `Step 3/7 : ENV DB_PASSWORD ${R}`],
      ['Step 5/9 : ENV DB_PASSPHRASE cat in the hat', `Step 5/9 : ENV DB_PASSPHRASE ${R}`],
      ['#6 [2/4] ENV DB_PASSPHRASE lamb to the slaughter', `#6 [2/4] ENV DB_PASSPHRASE ${R}`],
      ['#6 ENV DB_PASSPHRASE to be or not', `#6 ENV DB_PASSPHRASE ${R}`],
      ['ENV DB_PASSPHRASE to be or not to be', `ENV DB_PASSPHRASE ${R}`],
      ['RUN setenv DB_PASSWORD swordfish is set', `RUN setenv DB_PASSWORD ${R} is set`],
      [
        'Running: setenv API_TOKEN letmein and restart',
        `Running: setenv API_TOKEN ${R} and restart`,
      ],
      ['Executing: setenv API_TOKEN letmein and go', `Executing: setenv API_TOKEN ${R} and go`],
      ['+ setenv DB_PASSWORD swordfish is set', `+ setenv DB_PASSWORD ${R} is set`],
      ['$ set API_TOKEN abc or xyz', `$ set API_TOKEN ${R}`],
      ['% setenv API_TOKEN abc or xyz', `% setenv API_TOKEN ${R} or xyz`],
      [
        'bash -c "setenv DB_PASSWORD swordfish then exit"',
        `bash -c "setenv DB_PASSWORD ${R} then exit"`,
      ],
      [
        "sh -c 'setenv DB_PASSWORD swordfish then exit'",
        `sh -c 'setenv DB_PASSWORD ${R} then exit'`,
      ],
      // inside a sentence the cues still keep prose
      ['Missing ENV API_KEY in production', 'Missing ENV API_KEY in production'],
      ['Error: env API_TOKEN not set', 'Error: env API_TOKEN not set'],
      [
        'Note: proxy_set_header Authorization header is forwarded',
        'Note: proxy_set_header Authorization header is forwarded',
      ],
      // a line-long value is never judged by a word in small letters before a prose word
      ['Check that ENV DB_PASSPHRASE cat in the hat', `Check that ENV DB_PASSPHRASE ${R}`],
    ]) {
      expect(redactor.string(text as string), text).toBe(masked);
    }
  });

  it('reads netrc entries by any host, past comments, to their end', () => {
    const S = 's3cretXYZ';
    for (const [text, masked] of [
      [`machine myserver login ann password ${S}`, `machine myserver login ann password ${R}`],
      [`machine nas\n  login ann\n  password ${S}`, `machine nas\n  login ann\n  password ${R}`],
      [
        `machine registry:5000 login ann password ${S}`,
        `machine registry:5000 login ann password ${R}`,
      ],
      [`machine localhost:8080 password ${S}`, `machine localhost:8080 password ${R}`],
      // a netrc token, an entry's start or a comment after the value is no prose
      [
        'machine api.example.com login ann password hunter # work',
        `machine api.example.com login ann password ${R} # work`,
      ],
      [
        'machine api.example.com\n  login ann\n  password swordfish # rotated',
        `machine api.example.com\n  login ann\n  password ${R} # rotated`,
      ],
      [
        'machine api.example.com login ann password hunter default login x password y',
        `machine api.example.com login ann password ${R} default login x password ${R}`,
      ],
      [
        'machine myhost login ann password hunter macdef init',
        `machine myhost login ann password ${R} macdef init`,
      ],
      [
        'machine api.example.com login ann password swordfish extra',
        `machine api.example.com login ann password ${R} extra`,
      ],
      // after a name that is not host-like, the prose judgement only on the entry's first line
      [
        'machine learning\n  login ann\n  password swordfish extra',
        `machine learning\n  login ann\n  password ${R} extra`,
      ],
      // comment lines between tokens, any number of tokens, a value starting with #
      [
        `machine api.example.com\n  # work account\n  login ann\n  password ${S}`,
        `machine api.example.com\n  # work account\n  login ann\n  password ${R}`,
      ],
      [
        `machine a.example.com port 22 port 23 port 24 port 25 login a login b login c login d password ${S}`,
        `machine a.example.com port 22 port 23 port 24 port 25 login a login b login c login d password ${R}`,
      ],
      [`machine a.example.com password #${S}`, `machine a.example.com password ${R}`],
      // prose
      [
        'the machine learning password policy was updated',
        'the machine learning password policy was updated',
      ],
      ['the default login screen password field', 'the default login screen password field'],
    ]) {
      expect(redactor.string(text as string), text).toBe(masked);
    }
  });

  it('reads git config keys only after set and the arguments of known flags', () => {
    for (const text of [
      'see git config docs for the token option',
      'git config lets you set a token value per repo',
      'Use git config --global to store your password safely',
      'git config failed: user.password missing',
    ]) {
      expect(redactor.string(text), text).toBe(text);
    }
    for (const [text, masked] of [
      [
        'git config -f ~/.gitconfig user.password Hunt3rPw',
        `git config -f ~/.gitconfig user.password ${R}`,
      ],
      ['git config --file=x user.password Hunt3rPw', `git config --file=x user.password ${R}`],
      ['git config --global user.password Hunt3rPw', `git config --global user.password ${R}`],
    ]) {
      expect(redactor.string(text as string), text).toBe(masked);
    }
  });

  it('reads Cyrillic and Greek look-alikes of Latin letters in a name as the Latin letters', () => {
    expect(redactor.string('p\u0430ssword=Hunt3rPw&page=2')).toBe(`p\u0430ssword=${R}&page=2`);
    expect(redactor.string('t\u043eken: Hunt3rPw')).toBe(`t\u043eken: ${R}`);
    expect(redactor.string('passw\u03bfrd=Hunt3rPw')).toBe(`passw\u03bfrd=${R}`);
    expect(redactor.string('{"\u0455ecret":"Hunt3rPw"}')).toBe(`{"\u0455ecret":"${R}"}`);
    expect(redactor.isSecretKey('user.p\u0430ssword')).toBe(true);
    expect(redactor.isSecretKey('\u0410PI_K\u0415Y')).toBe(true);
    // prose in those scripts stays as it is
    for (const text of ['Пароль изменён: войдите снова', 'Ελληνικά: καλημέρα κόσμε']) {
      expect(redactor.string(text)).toBe(text);
    }
  });

  it('returns the same object when there is nothing to mask', () => {
    const clean = { 'http.route': '/a', 'http.response.status_code': 200 };
    expect(redactor.attributes(clean)).toBe(clean);
  });
});

describe('RedactingSpanProcessor', () => {
  it('exports a redacted copy: attributes, event attributes and status message', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new TracerProvider({
      spanProcessors: [
        new RedactingSpanProcessor(new SimpleSpanProcessor({ exporter }), new Redactor()),
      ],
    });
    const span = provider.getTracer('t').startSpan('login');
    span.setAttributes({ 'user.password': 'hunter2', 'url.full': 'http://x/cb?code=abc' });
    span.recordException(new Error('no account for bob@corp.example'));
    span.setStatus({ code: 2, message: 'no account for bob@corp.example' });
    span.end();
    await provider.forceFlush();
    const [out] = exporter.getFinishedSpans();
    expect(out?.attributes).toEqual({ 'user.password': R, 'url.full': `http://x/cb?code=${R}` });
    expect(out?.events[0]?.attributes?.['exception.message']).toBe(`no account for ${R}`);
    expect(out?.status.message).toBe(`no account for ${R}`);
    expect(out?.spanContext()).toEqual(span.spanContext());
    // the live span is untouched
    expect(
      (span as unknown as { attributes: Record<string, unknown> }).attributes['user.password'],
    ).toBe('hunter2');
  });

  it('scans at most 64 x maxLength characters of attributes per span, cutting the rest', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new TracerProvider({
      spanProcessors: [
        new RedactingSpanProcessor(new SimpleSpanProcessor({ exporter }), new Redactor()),
      ],
    });
    const span = provider.getTracer('t').startSpan('big');
    const blob = 'word '.repeat(3000); // 15 000 characters
    const set = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`app.blob${i}`, blob]));
    for (let i = 0; i < 20; i++) span.addEvent(`e${i}`, set);
    const start = performance.now();
    span.end();
    const ms = performance.now() - start;
    await provider.forceFlush();
    const [out] = exporter.getFinishedSpans();
    const texts = out!.events.flatMap((event) => Object.values(event.attributes ?? {}));
    const kept = texts.filter((text) => text === blob).length;
    expect(kept * blob.length).toBeLessThanOrEqual(64 * 16_384);
    expect(kept).toBeGreaterThan(60);
    expect(out!.events.at(-1)?.attributes?.['app.blob7']).toBe('[TRUNCATED 15000 chars]');
    expect(ms).toBeLessThan(1000);
  });

  it('hands a span with nothing to mask on as it is, without a copy', async () => {
    const seen: unknown[] = [];
    const sink = {
      onStart: () => undefined,
      onEnd: (span: unknown) => seen.push(span),
      forceFlush: () => Promise.resolve(),
      shutdown: () => Promise.resolve(),
    };
    const provider = new TracerProvider({
      spanProcessors: [new RedactingSpanProcessor(sink, new Redactor())],
    });
    const span = provider.getTracer('t').startSpan('GET /users/:id');
    span.setAttributes({ 'http.route': '/users/:id', 'hook.name': '@scope/plugin - onRequest' });
    span.end();
    await provider.forceFlush();
    expect(seen).toEqual([span]);
    expect(seen[0]).toBe(span);
  });
});
