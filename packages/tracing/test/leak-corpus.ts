// Secrets and personal data as they show up in span text, and what must survive redaction. Every
// value is made up, in the real format of its kind (prefix, length, alphabet, Luhn digit).

/** One shape: `text` as it appears in a span, `secret` the part that must never be exported. */
export interface LeakShape {
  readonly kind: string;
  readonly text: string;
  readonly secret: string;
}

const alnum = 'A1b2C3d4E5f6G7h8J9k0L1m2N3p4Q5r6S7t8U9v0W1x2Y3z4';
/** `n` characters of a made-up key alphabet, different for each `seed`. */
function chars(n: number, seed: number, alphabet = alnum): string {
  let out = '';
  for (let i = 0; i < n; i++) out += alphabet[(i * 7 + seed * 13) % alphabet.length];
  return out;
}
const hex = (n: number, seed: number): string => chars(n, seed, '0123456789abcdef');
const b64 = (n: number, seed: number): string => chars(n, seed, `${alnum}+/`);

/** A shape whose whole text is the secret. */
const bare = (kind: string, secret: string): LeakShape => ({ kind, text: secret, secret });
/** A shape whose secret follows a label (`password=…`). */
const after = (kind: string, label: string, secret: string, tail = ''): LeakShape => ({
  kind,
  text: `${label}${secret}${tail}`,
  secret,
});

const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1LTgyOTE3MyIsIm5hbWUiOiJBbm4gTGVlIiwiaWF0IjoxNzMwMDAwMDAwfQ.Qm9ndXNTaWduYXR1cmVGb3JUZXN0aW5nT25seTEyMzQ1';
const OPAQUE = `tok_${chars(32, 3)}`;

export const LEAK_SHAPES: readonly LeakShape[] = [
  // AI providers
  bare('openai project key', `sk-proj-${chars(48, 1)}T3BlbkFJ${chars(20, 2)}`),
  bare('openai legacy key', `sk-${chars(48, 4)}`),
  bare('openai service account key', `sk-svcacct-${chars(64, 5)}`),
  bare('openai admin key', `sk-admin-${chars(56, 6)}`),
  bare('anthropic key', `sk-ant-api03-${chars(93, 7)}AA`),
  bare('anthropic admin key', `sk-ant-admin01-${chars(80, 8)}AA`),
  bare('openrouter key', `sk-or-v1-${hex(64, 9)}`),
  bare('google api key (gemini)', `AIzaSy${chars(33, 10)}`),
  bare('groq key', `gsk_${chars(52, 11)}`),
  bare('xai key', `xai-${chars(80, 12)}`),
  bare('perplexity key', `pplx-${chars(48, 13)}`),
  bare('replicate token', `r8_${chars(37, 14)}`),
  bare('hugging face token', `hf_${chars(34, 15)}`),
  bare('nvidia key', `nvapi-${chars(64, 16)}`),
  bare('langsmith key', `lsv2_pt_${hex(32, 17)}_${hex(10, 18)}`),
  bare('pinecone key', `pcsk_${chars(6, 19)}_${chars(63, 20)}`),
  after('mistral key by name', 'MISTRAL_API_KEY=', chars(32, 21)),
  after('cohere key by name', 'CO_API_KEY: ', chars(40, 22)),
  // cloud providers
  bare('aws access key id', 'AKIAIOSFODNN7EXAMPLE'),
  bare('aws temporary key id', `ASIA${chars(16, 23).toUpperCase()}`),
  bare('aws secret key alone', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'),
  after('aws secret key by name', 'aws_secret_access_key = ', b64(40, 24)),
  after('aws session token by name', 'AWS_SESSION_TOKEN=', `FwoGZXIvYXdzE${b64(120, 25)}`),
  after(
    'azure storage connection string',
    'DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=',
    `${b64(86, 26)}==`,
    ';EndpointSuffix=core.windows.net',
  ),
  after(
    'azure sas signature',
    'https://acme.blob.core.windows.net/c/b.pdf?sv=2022-11-02&sp=r&sig=',
    `${chars(40, 27)}%3D`,
  ),
  bare('azure client secret', `${chars(3, 28)}8Q~${chars(34, 29)}`),
  after('azure openai key header', 'api-key: ', hex(32, 30)),
  after('azure subscription key header', 'Ocp-Apim-Subscription-Key: ', hex(32, 31)),
  bare('google oauth access token', `ya29.a0Af${chars(120, 32)}`),
  bare('google oauth refresh token', `1//0g${chars(90, 33)}`),
  bare('google oauth client secret', `GOCSPX-${chars(28, 34)}`),
  bare('digitalocean token', `dop_v1_${hex(64, 35)}`),
  bare('databricks token', `dapi${hex(32, 36)}`),
  // code hosts and developer tools
  bare('github classic token', `ghp_${chars(36, 37)}`),
  bare('github oauth token', `gho_${chars(36, 38)}`),
  bare('github app token', `ghs_${chars(36, 39)}`),
  bare('github fine-grained token', `github_pat_11A${chars(19, 40)}_${chars(59, 41)}`),
  bare('gitlab token', `glpat-${chars(20, 42)}`),
  bare('gitlab deploy token', `gldt-${chars(20, 43)}`),
  bare('npm token', `npm_${chars(36, 44)}`),
  bare('pypi token', `pypi-AgEIcHlwaS5vcmc${chars(70, 45)}`),
  bare('docker hub token', `dckr_pat_${chars(27, 46)}`),
  bare('vault token', `hvs.${chars(90, 47)}`),
  bare('doppler token', `dp.pt.${chars(43, 48)}`),
  bare('sentry token', `sntrys_${chars(120, 49)}`),
  bare('grafana service account token', `glsa_${chars(32, 50)}_${hex(8, 51)}`),
  bare('new relic key', `NRAK-${chars(27, 52).toUpperCase()}`),
  bare('linear key', `lin_api_${chars(40, 53)}`),
  bare('postman key', `PMAK-${hex(24, 54)}-${hex(34, 55)}`),
  // messaging and payments
  bare('slack bot token', `xoxb-1234567890123-1234567890123-${chars(24, 56)}`),
  bare('slack user token', `xoxp-1234567890123-1234567890123-1234567890123-${hex(32, 57)}`),
  after(
    'slack webhook',
    'https://hooks.slack.com/services/',
    `T0AB12CD3/B0CD34EF5/${chars(24, 58)}`,
  ),
  bare('stripe secret key', `sk_live_${chars(99, 59)}`),
  bare('stripe restricted key', `rk_live_${chars(99, 60)}`),
  bare('stripe webhook secret', `whsec_${chars(32, 61)}`),
  bare('sendgrid key', `SG.${chars(22, 62)}.${chars(43, 63)}`),
  bare('twilio api key', `SK${hex(32, 64)}`),
  after('twilio auth token by name', 'TWILIO_AUTH_TOKEN=', hex(32, 65)),
  bare('mailgun key', `key-${hex(32, 66)}`),
  bare('telegram bot token', `123456789:AA${chars(33, 67)}`),
  // tokens in standard places
  bare('jwt', JWT),
  after('bearer header', 'Authorization: Bearer ', OPAQUE),
  after('bearer header lower case', 'authorization: bearer ', `${OPAQUE}x1`),
  after('bearer header upper case', 'AUTHORIZATION: BEARER ', `${OPAQUE}x2`),
  after('bearer in prose', 'retrying with bearer ', `${OPAQUE}x3`),
  after('basic header', 'Authorization: Basic ', 'YWRtaW46Q29ycmVjdEhvcnNlQmF0dGVyeQ=='),
  after('basic in prose', 'sent basic ', 'dXNlcjpTdXBlclNlY3JldDE='),
  after('token scheme', 'Authorization: token ', `${OPAQUE}x4`),
  after('short lower-case bearer', 'Bearer ', 'qwzxabcdefghijkl'),
  after('short lower-case bearer, lower-case scheme', 'retried with bearer ', 'mnbvcxzlkj'),
  after('short bearer, upper-case scheme', 'BEARER ', 'poiuytrewq'),
  after('short lower-case basic credential', 'Basic ', 'dxnlcjpwyxnz'),
  after('cookie header', 'Cookie: session=', `${chars(24, 68)}; theme=dark`),
  after('set-cookie header', 'Set-Cookie: sid=', `${chars(24, 69)}; Path=/; HttpOnly`),
  after('x-api-key header', 'X-Api-Key: ', `live_${chars(30, 70)}`),
  // passwords in URLs, connection strings, configuration
  after('postgres url', 'postgres://app:', 'S3cr3t-pg-pass', '@db.internal:5432/orders'),
  after(
    'mongodb+srv url',
    'mongodb+srv://admin:',
    'Mong0-Atlas-pass',
    '@cluster0.ab1cd.mongodb.net/test',
  ),
  after('redis url', 'redis://:', 'R3dis-pass-word', '@cache.internal:6379/0'),
  after('amqp url', 'amqp://guest:', 'Rabb1t-pass-word', '@rabbit.internal:5672/vhost'),
  after('mysql url', 'mysql://root:', 'My5ql-pass-word', '@127.0.0.1:3306/app'),
  after('git url', 'https://deploy:', 'G1t-pass-word', '@git.example.com/org/repo.git'),
  after(
    'sql server connection string',
    'Server=tcp:db.example.net,1433;Database=app;User ID=app;Password=',
    'Sql-Serv3r-pass',
    ';',
  ),
  after('jdbc url', 'jdbc:postgresql://db:5432/app?user=app&password=', 'Jdbc-pass-99'),
  after('password pair', 'password=', 'hunter2-hunter2'),
  after('password json', '{"user":"ann","password":"', 'Json-pass#1', '"}'),
  after('password yaml quoted', 'PASSWORD: "', 'two words pass', '"'),
  after('camelCase password', 'userPassword=', 'camel-pass-77'),
  after('db pass', 'db_pass: ', 'Db-pass-88'),
  after('cli flag with =', 'node app.js --api-key=', `live_${chars(30, 71)}`),
  // credentials in database commands (db.statement, db.query.text)
  after('sql alter user password', "ALTER USER app WITH PASSWORD '", 'Pg-alter-pw-1', "'"),
  after(
    'sql create user identified by',
    "CREATE USER 'app'@'%' IDENTIFIED BY '",
    'My-create-pw-2',
    "'",
  ),
  after('sql set password for', "SET PASSWORD FOR 'app'@'%' = '", 'My-setpw-pw-3', "'"),
  after(
    'sql create role password',
    "CREATE ROLE app LOGIN PASSWORD '",
    'Pg-role-pw-4',
    "' VALID UNTIL 'infinity'",
  ),
  after(
    'sql encrypted password, double quotes',
    'ALTER ROLE app ENCRYPTED PASSWORD "',
    'Pg-dq-pw-5',
    '"',
  ),
  after('sql dollar-quoted password', 'ALTER ROLE app PASSWORD $pw$', 'Pg-dollar-pw-6', '$pw$;'),
  after(
    'sql identified with plugin',
    "CREATE USER app IDENTIFIED WITH caching_sha2_password BY '",
    'My-plugin-pw-7',
    "'",
  ),
  after('oracle unquoted identified by', 'ALTER USER scott IDENTIFIED BY ', 'Ora-tiger-pw-8', ';'),
  after('sql server login password', "CREATE LOGIN app WITH PASSWORD = N'", 'Mss-login-pw-9', "'"),
  after('redis auth', 'AUTH ', 'Redis-auth-pw-10'),
  after('redis auth with user', 'AUTH default ', 'Redis-auth-pw-11'),
  after('redis hello auth', 'HELLO 3 AUTH default ', 'Redis-hello-pw-12', ' SETNAME app'),
  after('redis requirepass', 'CONFIG SET requirepass ', 'Redis-conf-pw-13'),
  after('cli flag with space', 'node app.js --password ', 'Cli-pass-66'),
  after(
    'private key pem',
    '-----BEGIN RSA PRIVATE KEY-----\n',
    `MIIEow${b64(64, 72)}\n${b64(64, 73)}`,
    '\n-----END RSA PRIVATE KEY-----',
  ),
  // query strings and fragments
  after('token param', 'https://app.example.com/reset?token=', `T${chars(20, 74)}`),
  after('access_token param', 'https://api.example.com/v1?access_token=', chars(30, 75)),
  after('auth_token param', '/hook?auth_token=', chars(30, 76)),
  after('private_token param', '/api/v4/projects?private_token=', chars(20, 77)),
  after('api-key param', '/search?q=cats&api-key=', chars(30, 78)),
  after('x-api-key param', '/search?x-api-key=', chars(30, 79)),
  after('jwt param', '/ws?jwt=', `opaque${chars(24, 80)}`),
  after('pass param', '/login?user=ann&pass=', 'Qu3ry-pass'),
  after('key param', '/maps/api/geocode/json?address=x&key=', chars(39, 81)),
  after('client_secret param', '/oauth/token?client_id=web&client_secret=', chars(32, 82)),
  after('code param', '/callback?code=', chars(40, 83), '&state=xyz'),
  after(
    'fragment access_token',
    'https://app.example.com/cb#access_token=',
    chars(40, 84),
    '&token_type=bearer',
  ),
  // markup: XML elements, YAML values on the lines after their key
  after('xml password element', '<Password>', 'Xml-elem-pw-31', '</Password>'),
  after(
    'soap token element with a namespace and attributes',
    '<ns1:AuthToken xsi:type="xsd:string">',
    'Soap-tok-32x',
    '</ns1:AuthToken>',
  ),
  after(
    'config element with a secret key',
    '<add key="StripeApiKey" value="',
    'Cfg-attr-pw-37',
    '" />',
  ),
  after('xml cdata secret', '<client_secret><![CDATA[', 'Cdata-sec-33', ']]></client_secret>'),
  after('yaml value on the next line', '\npassword:\n  ', 'Yaml-next-pw-34'),
  after(
    'yaml nested key, value on the next line',
    '\ndb:\n  password:\n    ',
    'Yaml-nest-pw-35',
    '\n  host: db',
  ),
  after('yaml block scalar', '\napi_key: |\n  ', 'Yaml-block-36', '\nport: 80'),
  // unquoted values run over spaces, commas and brackets, up to a line, a `;` or the next pair
  after('value with spaces after a colon', 'password: ', 'correct horse battery staple'),
  after('value with spaces after =', 'db.password=', 'my pass phrase', ' user=ann'),
  after('ado.net value up to ;', 'Server=db;Password=', 'my secret pw 52', ';Database=app'),
  after('value with punctuation and brackets', 'password=', 'Xy7!(k9)Qz-53'),
  after('value with a comma', 'DB_PASSWORD=', 'p@ss,word-54'),
  after('value in parentheses', 'password=', '(Paren-pw-55)'),
  after('odbc value in braces', 'Driver={ODBC};PWD=', '{Brace-pw-56}', ';UID=sa'),
  after('value in backticks', 'password: `', 'Tick-pw-57', '`'),
  after('value in a js object, before the next key', '{password: ', 'Obj-pw-58', ', user: ann}'),
  // names far from their separator, in brackets, in Markdown, in a Makefile
  after('aligned ini value', 'password      = ', 'Aligned-pw-59'),
  after('aligned with tabs', 'password\t\t\t\t= ', 'Tabbed-pw-60'),
  after('aligned json', '"password"    :    "', 'Aligned-json-61', '"'),
  after('name in brackets (form body)', 'user[password]=', 'Form-pw-62', '&user[name]=ann'),
  after('markdown bold label', '**Password:** ', 'Md-bold-pw-63'),
  after('markdown bold name', '**Password**: ', 'Md-name-pw-64'),
  after('markdown list item with two-word name', '- **API key**: ', '8f3a9c2e7d1b65'),
  after('markdown underscores', '__token__: ', 'Md-under-tok-66'),
  after('makefile :=', 'PASSWORD := ', 'Make-pw-67'),
  after('makefile ?=', 'PASSWORD ?= ', 'Make-pw-68'),
  // the name in one field, the secret in the next
  after('kubernetes env in json', '{"name":"DB_PASSWORD","value":"', 'K8s-json-pw-69', '"}'),
  after('kubernetes env in yaml', 'env:\n- name: DB_PASSWORD\n  value: ', 'K8s-yaml-pw-70'),
  after(
    'key and value fields',
    '{"key":"api_key","value":"',
    'Kv-field-pw-71',
    '","enabled":true}',
  ),
  // one level of percent-encoding
  after(
    'encoded token in a redirect',
    '/login?next=%2Fcb%3Ftoken%3D',
    `Enc0ded${chars(16, 90)}`,
    '%26x%3D1',
  ),
  after(
    'encoded url credentials, host without tld',
    '/login?next=https%3A%2F%2Fu%3A',
    'Nested-pw-6789',
    '%40h%2F',
  ),
  after('percent-encoded secret name', '/login?pass%77ord=', 'Encoded-key-pw1'),
  after('encoded pair, lower-case hex', '/search?q=password%3d', 'Lower-hex-pw22', '%26a%3db'),
  after('encoded access_token in a fragment', '/cb#state=%23access_token%3D', chars(24, 91)),
  after('encoded bearer header', '/relay?h=Authorization%3A%20Bearer%20', `${OPAQUE}x5`),
  // personal data
  bare('email', 'ann.lee@example.com'),
  bare('email with tag and subdomain', 'first.last+billing@mail.example.co.uk'),
  after('email param', '/invite?email=', 'bob.stone%40example.org'),
  after('email in prose', 'no account for ', 'carol@corp.example'),
  after('email, non-ascii domain', 'login ', 'bob@exämple.com'),
  after('email, non-ascii local part', 'login ', 'bøb.örsted@example.com'),
  after('email, non-latin script', 'to: ', 'пользователь@пример.рф'),
  after('email, accented local part in prose', 'sent to ', 'josé.garcía@correo.es', ' today'),
  after('email, punycode tld', 'owner ', 'li.wei@example.xn--fiqs8s'),
  after('user id pair', 'user_id=', 'u-829173'),
  after('user id json', '{"userId": "', 'u-561204', '"}'),
  after('ssn pair', 'ssn=', '078-05-1120'),
  after('visa card spaced', 'card ', '4111 1111 1111 1111', ' charged'),
  bare('visa card plain', '4012888888881881'),
  after('mastercard dashed', 'pan=', '5500-0000-0000-0004'),
  after('amex', 'paid with ', '3782 822463 10005'),
  after('discover', 'card: ', '6011 1111 1111 1117'),
  bare('jcb', '3530111333300000'),
  after('visa card dotted', 'card ', '4111.1111.1111.1111', ' ok'),
  after('visa card with underscores', 'pan=', '4111_1111_1111_1111'),
  // written so that only a reader of the text sees the name or the number
  after(
    'json inside a json string',
    '{\\"user\\":\\"ann\\",\\"password\\":\\"',
    'Dbl-json-pw-41',
    '\\"}',
  ),
  after('json name with a unicode escape', '{"pass\\u0077ord":"', 'Esc-name-pw-42', '"}'),
  after('json twice escaped', '{\\\\\\"api_key\\\\\\":\\\\\\"', 'Twice-esc-key-43', '\\\\\\"}'),
  after('zero-width space in a name', 'pass\u200bword=', 'Zw-name-pw-44'),
  after('tag character in a name', 'pass\u{E0020}word: ', 'Tag-name-pw-45'),
  after('full-width name and sign', 'ｐａｓｓｗｏｒｄ＝', 'Fw-name-pw-46'),
  after('mixed-case name', 'PaSsWoRd=', 'Mixed-case-pw-47'),
  after('ruby hash', '{"password" => "', 'Ruby-arrow-pw-48', '"}'),
  after('php array', "['api_key' => '", 'Php-arrow-key-49', "']"),
  after('bearer after an ideographic space', 'Bearer\u3000', `${OPAQUE}x6`),
  after('email with a zero-width space', 'sent to ', 'carol\u200b@corp.example'),
  after('full-width email', 'to ', 'ｃａｒｏｌ＠ｃｏｒｐ．ｅｘａｍｐｌｅ'),
  after('full-width card', 'card ', '４１１１ １１１１ １１１１ １１１１'),
  after(
    'oracle statement over two lines',
    'CREATE USER scott\n  IDENTIFIED BY ',
    'Ora-two-lines-50',
  ),
  after(
    'oracle after a message',
    'ORA-01935 in: ALTER USER app IDENTIFIED BY ',
    'Ora-in-msg-51',
    ';',
  ),
];

/** Attribute keys whose whole value is a secret or personal data. */
export const SECRET_KEYS: readonly string[] = [
  'openai_api_key',
  'github_token',
  'user_password',
  'userPassword',
  'http.request.header.x-goog-api-key',
  'http.request.header.x-auth-token',
  'http.request.header.authorization',
  'http.request.header.cookie',
  'http.response.header.set-cookie',
  'http.request.header.api-key',
  'http.request.header.ocp-apim-subscription-key',
  'enduser.id',
  'user.id',
  'user.email',
  'user.full_name',
  'session.id',
  'db.password',
  'aws.secret_access_key',
  'clientSecret',
  'private_key',
  'refresh_token',
  'X-Amz-Security-Token',
];

/** Text that must reach the collector unchanged: redaction is not "erase everything". */
export const KEEP: readonly string[] = [
  '4bf92f3577b34da6a3ce929d0e0e4736', // a trace id
  '00f067aa0ba902b7', // a span id
  '3f2c8e9a-1b4d-4c6e-9f0a-7d5b2e8c1a6f', // a UUID
  '/users/:id',
  '/orders/:orderId/items/*',
  'GET /checkout/:cartId',
  'Summarized 3 documents in 1520 ms using 1200 input tokens and 310 output tokens',
  'password reset requested; token expired after 15 minutes',
  'basic plan, 20 seats',
  'basic information about bearer tokens',
  'Bearer tokens expire; Bearer authentication failed',
  'took 250ms (p95 1.2s)',
  '2026-11-29T02:20:05.123Z',
  'e83c5163316f89bfbde7d9ab23ca2e25604af290', // a git commit
  'checkout-7d9f8b6c4-x2x9z', // a pod name
  'node/20.19.0 undici/6.21',
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
  'https://api.example.com/v1/models?limit=20&page=2',
  'SELECT id, name FROM users WHERE id = $1',
  "{ errno: -111, code: 'ECONNREFUSED', syscall: 'connect' }",
  'upstream returned status code: 503',
  '{"error":{"code":"rate_limit_exceeded"}}',
  'produced message key=order-42 partition=3 offset=1187',
  'SELECT * FROM sessions WHERE user_id = $1 AND session_id = $2 LIMIT 1',
  'UPDATE users SET password = ? WHERE id = ?',
  'SELECT id FROM users WHERE password = :pw',
  'EXEC login @user = @p0, @password = @p1',
  'UPDATE users SET password_hash = $1 WHERE id = $2',
  'Auth failed for user 42 after password reset',
  '<Code>NoSuchKey</Code><Key>photos/cat.jpg</Key>',
  'auth:\n  type: oauth2\n  scopes: read',
  'order 1024 of 5000 shipped to 127.0.0.1:8080',
  'the user identified by id 42',
  'C:\\Users\\build\\token-cache\\index.json',
  '{"level":"info","msg":"saved \\"draft\\" in 12 ms"}',
  'family 👨\u200d👩\u200d👧 joined',
  'ｈｅｌｌｏ ｗｏｒｌｄ',
  'release 2024.11.29.1, OID 1.3.6.1.4.1.311.21.20',
];
