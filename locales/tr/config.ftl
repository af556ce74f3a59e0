# Yapılandırma okuyucusunun bir yapılandırma dosyası hakkında söyledikleri: işletmeci için, LANG dilinde.
# Anahtar adları, `sqlite://PATH`, `24h`, `Europe/Istanbul` gibi yazımlar olduğu gibi kalır.

## Raporun başlığı; $count sorun sayısıdır.
config-problems = Yapılandırmada { $count } sorun var:

## Dosyanın kendisi. $error sistemin ya da TOML okuyucusunun kendi sözleridir.
config-cannot-read = yapılandırma dosyası okunamıyor: { $error }
config-not-toml = geçerli TOML değil: { $error }

## Anahtarlar ve türler.
config-missing = eksik; beklenen: { $expected }
config-wrong-type = beklenen: { $expected }; bulunan: { $found }
config-unknown-key = bilinmeyen anahtar (burada geçerli olanlar: { $allowed })
config-unknown-key-suggestion = bilinmeyen anahtar; `{ $suggestion }` mı demek istediniz? (burada geçerli olanlar: { $allowed })
config-placeholder = `{ $text }` örnek yapılandırmadan kalmış bir yer tutucu; yerine gerçek bir değer yazın
config-type = { $kind ->
        [string] metin
        [integer] tam sayı
        [float] ondalıklı sayı
        [boolean] true/false değeri
        [datetime] tarih-saat
        [array] dizi
        [table] tablo
       *[other] { $kind }
    }
config-expected-string = bir metin
config-expected-integer = bir tam sayı
config-expected-bool = true ya da false
config-expected-table = bir tablo
config-expected-string-list = metinlerden oluşan bir dizi
config-expected-id-list = kimliklerden oluşan bir dizi (metin ya da tam sayı)
config-expected-table-list = tablolardan oluşan bir dizi ([[...]] bölümleri)

## [database]
config-max-connections-range = beklenen: 1 ile 1000 arası; bulunan: { $found }
config-database-url-expected = beklenen: `sqlite://PATH` (gömülü veritabanı) ya da `postgres://USER@HOST:PORT/DATABASE`
config-database-url-found = { $expected }; bulunan: `{ $url }`
config-database-url-no-file = { $expected }: SQLite URL'si bir dosya belirtmiyor
config-database-url-invalid = { $expected }: { $error }
config-database-url-no-host = { $expected }: URL bir sunucu belirtmiyor
config-database-url-password = URL bir parola içeriyor; gizli bilgiler yapılandırma dosyasına asla yazılmaz: parolayı URL'den çıkarın ve `password_env` ya da `password_file` verin
config-database-scheme = desteklenmeyen veritabanı şeması `{ $scheme }`; { $expected }

## Gizli bilgiler
config-secret-database-password = veritabanı parolası
config-secret-calendar = takvim gizli anahtarı
config-secret-matrix-password = Matrix parolası
config-secret-matrix-token = Matrix erişim belirteci
config-secret-discord-token = Discord bot belirteci
config-secret-inline = { $what } yapılandırma dosyasına yazılmamalı; değeri bir ortam değişkenine koyup değişkenin adını `{ $env }` anahtarına ya da bir dosyaya koyup dosyanın yolunu `{ $file }` anahtarına yazın
config-secret-both = `{ $env }` ya da `{ $file }` anahtarlarından yalnızca birini verin, ikisini birden değil
config-secret-unavailable = { $what } kullanılamıyor: { $reason }
secret-env-empty = { $name } ortam değişkeni boş
secret-env-unset = { $name } ortam değişkeni tanımlı değil
secret-file-empty = { $path } gizli bilgi dosyası boş
secret-file-unreadable = { $path } gizli bilgi dosyası okunamıyor: { $error }
secret-source-env = { $name } ortam değişkeni
secret-source-file = { $path } dosyası

## [http], [bridge], [schedule]
config-listen = beklenen: `127.0.0.1:8080` gibi bir adres ve bağlantı noktası; bulunan: `{ $found }`
config-max-attempts-range = beklenen: 1 ile 100 arası deneme sayısı; bulunan: { $found }
config-pause-after-refusals-range = beklenen: 2 ile 1000 arası ret sayısı; bulunan: { $found }
config-schedule-duration = beklenen: `60s` ya da `2h` gibi, en çok 7 günlük bir süre; bulunan: `{ $found }`
config-http-url = beklenen: bir http:// ya da https:// URL'si; bulunan: `{ $found }`

## [matrix] ve [discord]
config-expected-homeserver = ana sunucunun istemci URL'si, örn. `https://matrix.example.org`
config-expected-matrix-user = botun Matrix kullanıcı kimliği, örn. `@magnet:example.org`
config-expected-application-id = botun uygulama kimliği (bir Discord snowflake kimliği)
config-matrix-credential-both = parola ya da erişim belirtecinden yalnızca birini verin, ikisini birden değil
config-matrix-credential-missing = eksik; botun `password_env`/`password_file` ya da `access_token_env`/`access_token_file` anahtarlarından birine ihtiyacı var
config-discord-token-missing = eksik; botun `token_env` ya da `token_file` anahtarına ihtiyacı var
config-matrix-missing = eksik; Matrix odaları listelenmiş, bu yüzden botun hesabını içeren bir [matrix] bölümü gerekli
config-discord-missing = eksik; Discord kanalları listelenmiş, bu yüzden botun belirtecini içeren bir [discord] bölümü gerekli

## Kimlikler
config-matrix-user-at = Matrix kullanıcı kimliği `@` ile başlar, örn. `@secretariat:example.org`
config-matrix-user-shape = Matrix kullanıcı kimliği `@name:server.name` biçimindedir
config-matrix-user-local = `{ $local }` geçerli bir Matrix kullanıcı adı (localpart) değil (yalnızca küçük harfler, rakamlar ve ._=-/+)
config-matrix-room = beklenen: `!abc:server.name` biçiminde bir Matrix oda kimliği (oda sürümü 12'de `!abc`) ya da `#name:server.name` biçiminde bir oda takma adı
config-matrix-room-local = beklenen: `!abc:server.name` biçiminde bir Matrix oda kimliği (oda sürümü 12'de `!abc`) ya da `#name:server.name` biçiminde bir oda takma adı; `{ $local }` boşluk ya da `:` içeriyor
config-server-port = `{ $server }` geçersiz bir bağlantı noktası içeriyor
config-server-name = `{ $server }` geçerli bir sunucu adı değil
config-snowflake = beklenen: bir Discord kimliği (snowflake: 17–20 basamaklı bir sayı, örn. 1093848219043012608); bulunan: `{ $found }`
config-pillar-id = beklenen: 1 ile 32 arası küçük harf, rakam, `-` ya da `_` içeren bir çalışma grubu kimliği (örn. `civil-society`); bulunan: `{ $found }`
config-language-tag = beklenen: `en`, `tr` ya da `pt-BR` gibi bir dil etiketi; bulunan: `{ $found }`

## [secretariat]
config-power-level = beklenen: 0 ile 100 arası bir yetki düzeyi (power level)
config-language-unknown = botun `{ $tag }` dilinde iletisi yok; konuştuğu diller: { $known }

## [[pillars]]
config-expected-pillar-id = `civil-society` gibi kısa bir çalışma grubu kimliği
config-expected-pillar-name = çalışma grubunun görünen adı
config-expected-timezone = `Europe/Istanbul` gibi bir IANA saat dilimi
config-pillar-twice = `{ $id }` çalışma grubu kimliği iki kez kullanılmış
config-room-twice = `{ $room }` odası zaten `{ $pillar }` çalışma grubunda listelenmiş ({ $line }. satır); bir oda yalnızca bir çalışma grubuna ait olabilir, yoksa iletiler çalışma grupları arasında sızar
config-timezone = bilinmeyen saat dilimi `{ $zone }`; beklenen: `Europe/Istanbul` ya da `UTC` gibi bir IANA adı
config-reminder-offset = beklenen: toplantıdan önce 1m ile 14 gün arası bir süre, örn. `24h` ya da `90m`; bulunan: `{ $found }`

## [reports]
config-report-format = bilinmeyen rapor biçimi `{ $format }`; beklenen: `markdown`, `html` ya da `csv`
config-cron-fields = beklenen: 5 alanlı bir cron kuralı (dakika saat ayın-günü ay haftanın-günü), örn. `0 8 1 * *`; `{ $rule }` içinde { $fields } alan bulundu
config-cron-invalid = geçersiz cron kuralı `{ $rule }`: { $error }
config-cron-never = `{ $rule }` cron kuralı hiçbir zaman tetiklenmiyor

## `magnet check-config` komutunun geçerli bir yapılandırma için yazdıkları, satır satır.
config-describe-source = yapılandırma: { $path }
config-describe-database = veritabanı: { $url }
config-describe-password = parolanın kaynağı: { $source }
config-describe-access-token = erişim belirtecinin kaynağı: { $source }
config-describe-http = http: { $address } adresini dinliyor
config-describe-matrix = matrix: { $user }, { $homeserver } sunucusunda ({ $credential }), depo: { $store }
config-describe-matrix-none = matrix: yapılandırılmamış
config-describe-discord = discord: { $application } uygulaması, { $api } adresinde (belirtecin kaynağı: { $source })
config-describe-discord-none = discord: yapılandırılmamış
config-describe-secretariat = sekretarya:
config-describe-matrix-users = matrix kullanıcıları: { $list }
config-describe-power-level = sekretarya odalarında matrix yetki düzeyi >= { $level }
config-describe-discord-roles = discord rolleri: { $list }
config-describe-rooms = odalar: matrix { $matrix }; discord { $discord }
config-describe-pillars = çalışma grupları: { $count }
config-describe-pillar = { $id } "{ $name }" ({ $language }, { $zone }), hatırlatmalar: { $offsets }
config-describe-pillar-matrix = matrix odaları: { $list }
config-describe-pillar-discord = discord kanalları: { $list }
config-describe-none = yok

## [surveys]
config-anonymous-min-range = beklenen: 1 ile 1000 arası yanıt; bulunan: { $found }
config-secret-voter-key = anonim oy verenlerin özetlerinin anahtarı
config-action-remind-before = `{ $found }` geçerli bir süre değil: en çok 30 gün olabilir; 1d ya da 36h gibi yazın.
