<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ja_JP">
<context>
    <name>DiagnosticsWizard</name>
    <message>
        <location filename="../../gui/wizard.py" line="784"/>
        <source>Checking %1…</source>
        <translation>%1 を確認しています…</translation>
    </message>
    <message>
        <location filename="../../gui/wizard.py" line="814"/>
        <source>Cancelled.</source>
        <translation>中止しました。</translation>
    </message>
    <message>
        <location filename="../../gui/wizard.py" line="814"/>
        <source>Done.</source>
        <translation>完了しました。</translation>
    </message>
    <message>
        <location filename="../../gui/wizard.py" line="838"/>
        <source>Not exported: %1</source>
        <translation>書き出せませんでした: %1</translation>
    </message>
    <message>
        <location filename="../../gui/wizard.py" line="844"/>
        <source>Exported: %1 and %2</source>
        <translation>書き出しました: %1 と %2</translation>
    </message>
</context>
<context>
    <name>ExportPage</name>
    <message>
        <location filename="../../gui/wizard.py" line="619"/>
        <source>Export the report</source>
        <translation>レポートの書き出し</translation>
    </message>
    <message>
        <location filename="../../gui/wizard.py" line="620"/>
        <source>One HTML file to attach to the ticket, and the same results as JSON.</source>
        <translation>チケットに添付する HTML ファイル 1 つと、同じ結果の JSON を書き出します。</translation>
    </message>
    <message>
        <location filename="../../gui/wizard.py" line="621"/>
        <source>&amp;Folder:</source>
        <translation>フォルダ(&amp;F):</translation>
    </message>
    <message>
        <location filename="../../gui/wizard.py" line="622"/>
        <source>File &amp;name:</source>
        <translation>ファイル名(&amp;N):</translation>
    </message>
    <message>
        <location filename="../../gui/wizard.py" line="623"/>
        <source>&amp;Browse…</source>
        <translation>参照(&amp;B)…</translation>
    </message>
    <message>
        <location filename="../../gui/wizard.py" line="624"/>
        <source>&amp;Export</source>
        <translation>書き出し(&amp;E)</translation>
    </message>
    <message>
        <location filename="../../gui/wizard.py" line="625"/>
        <source>&amp;Open the report</source>
        <translation>レポートを開く(&amp;O)</translation>
    </message>
    <message>
        <location filename="../../gui/wizard.py" line="626"/>
        <source>Open the report &amp;after exporting</source>
        <translation>書き出した後にレポートを開く(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../gui/wizard.py" line="629"/>
        <source>Folder for the report</source>
        <translation>レポートの保存先フォルダ</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../gui/main_window.py" line="106"/>
        <source>SEP Port Doctor</source>
        <translation>SEP Port Doctor</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="107"/>
        <source>Port &amp;reference</source>
        <translation>ポートリファレンス(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="109"/>
        <source>&amp;Diagnostics</source>
        <translation>診断(&amp;D)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="110"/>
        <source>&amp;File</source>
        <translation>ファイル(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="111"/>
        <source>&amp;Quit</source>
        <translation>終了(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="112"/>
        <source>&amp;View</source>
        <translation>表示(&amp;V)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="113"/>
        <source>&amp;Language</source>
        <translation>言語(&amp;L)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="114"/>
        <source>Follow the system</source>
        <translation>システムに合わせる</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="117"/>
        <source>Port reference</source>
        <translation>ポートリファレンス</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="118"/>
        <source>Diagnostics</source>
        <translation>診断</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="119"/>
        <source>&amp;Help</source>
        <translation>ヘルプ(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="120"/>
        <source>&amp;About SEP Port Doctor</source>
        <translation>SEP Port Doctor について(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="129"/>
        <source>About SEP Port Doctor</source>
        <translation>SEP Port Doctor について</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="131"/>
        <source>Troubleshoots the network ports of Symantec Endpoint Protection.
Port data: the vendor&apos;s Japanese port page.</source>
        <translation>Symantec Endpoint Protection の通信ポートのトラブルシューティングツールです。
ポートのデータ: ベンダーの日本語の通信ポートのページ。</translation>
    </message>
</context>
<context>
    <name>ReferenceView</name>
    <message>
        <location filename="../../gui/reference.py" line="257"/>
        <source>&amp;Search:</source>
        <translation>検索(&amp;S):</translation>
    </message>
    <message>
        <location filename="../../gui/reference.py" line="258"/>
        <source>port, process, purpose… (e.g. 445 windows, プッシュ)</source>
        <translation>ポート、プロセス、用途…(例: 445 windows、プッシュ)</translation>
    </message>
    <message>
        <location filename="../../gui/reference.py" line="259"/>
        <source>Every word must match, in any order, in Japanese or English</source>
        <translation>すべての語が一致する行を表示します(順不同、日本語・英語どちらでも)</translation>
    </message>
    <message>
        <location filename="../../gui/reference.py" line="260"/>
        <source>SEP &amp;version:</source>
        <translation>SEP バージョン(&amp;V):</translation>
    </message>
    <message>
        <location filename="../../gui/reference.py" line="263"/>
        <source>all versions</source>
        <translation>すべてのバージョン</translation>
    </message>
    <message>
        <location filename="../../gui/reference.py" line="264"/>
        <source>&amp;Protocol:</source>
        <translation>プロトコル(&amp;P):</translation>
    </message>
    <message>
        <location filename="../../gui/reference.py" line="265"/>
        <source>&amp;Direction:</source>
        <translation>方向(&amp;D):</translation>
    </message>
    <message>
        <location filename="../../gui/reference.py" line="266"/>
        <source>&amp;Hide ports that do not apply</source>
        <translation>対象外のポートを隠す(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../gui/reference.py" line="267"/>
        <source>&amp;Copy selected rows</source>
        <translation>選択した行をコピー(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../gui/reference.py" line="268"/>
        <source>Copy</source>
        <translation>コピー</translation>
    </message>
    <message>
        <location filename="../../gui/reference.py" line="269"/>
        <location filename="../../gui/reference.py" line="272"/>
        <source>All</source>
        <translation>すべて</translation>
    </message>
    <message numerus="yes">
        <location filename="../../gui/reference.py" line="339"/>
        <source>%n of %1 ports shown</source>
        <translation>
            <numerusform>%1 件中 %n 件を表示</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../gui/reference.py" line="370"/>
        <source>No port selected.</source>
        <translation>ポートが選択されていません。</translation>
    </message>
</context>
<context>
    <name>ResultsPage</name>
    <message>
        <location filename="../../gui/wizard.py" line="476"/>
        <source>Results</source>
        <translation>結果</translation>
    </message>
    <message>
        <location filename="../../gui/wizard.py" line="477"/>
        <source>Grouped by severity. Select a line for the explanation and next steps.</source>
        <translation>重要度ごとに表示します。行を選ぶと説明と対処が表示されます。</translation>
    </message>
    <message>
        <location filename="../../gui/wizard.py" line="478"/>
        <source>Show in the &amp;port reference</source>
        <translation>ポートリファレンスで表示(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../gui/wizard.py" line="497"/>
        <source>This PC</source>
        <translation>この PC</translation>
    </message>
    <message>
        <location filename="../../gui/wizard.py" line="531"/>
        <source>rule of thumb</source>
        <translation>経験則</translation>
    </message>
    <message>
        <location filename="../../gui/wizard.py" line="543"/>
        <source>Verdict</source>
        <translation>判定</translation>
    </message>
    <message>
        <location filename="../../gui/wizard.py" line="544"/>
        <source>Evidence</source>
        <translation>根拠</translation>
    </message>
    <message>
        <location filename="../../gui/wizard.py" line="545"/>
        <source>Address</source>
        <translation>アドレス</translation>
    </message>
    <message>
        <location filename="../../gui/wizard.py" line="546"/>
        <source>Round trip</source>
        <translation>応答時間</translation>
    </message>
    <message>
        <location filename="../../gui/wizard.py" line="550"/>
        <source>Why checked</source>
        <translation>確認の理由</translation>
    </message>
</context>
<context>
    <name>RunPage</name>
    <message>
        <location filename="../../gui/wizard.py" line="416"/>
        <source>Checking</source>
        <translation>確認中</translation>
    </message>
    <message>
        <location filename="../../gui/wizard.py" line="417"/>
        <source>Each verdict appears as it arrives. Cancel stops everything at once.</source>
        <translation>判定は届いた順に表示されます。「中止」ですべての確認をすぐに止めます。</translation>
    </message>
    <message>
        <location filename="../../gui/wizard.py" line="418"/>
        <source>&amp;Cancel</source>
        <translation>中止(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../gui/wizard.py" line="419"/>
        <source>Run this &amp;row again</source>
        <translation>この行を再実行(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../gui/wizard.py" line="420"/>
        <source>Run &amp;all again</source>
        <translation>すべて再実行(&amp;A)</translation>
    </message>
</context>
<context>
    <name>TargetPage</name>
    <message>
        <location filename="../../gui/wizard.py" line="229"/>
        <source>What to check</source>
        <translation>確認する対象</translation>
    </message>
    <message>
        <location filename="../../gui/wizard.py" line="230"/>
        <source>The manager and the SEP version decide which ports matter.</source>
        <translation>管理サーバーと SEP のバージョンによって、確認するポートが決まります。</translation>
    </message>
    <message>
        <location filename="../../gui/wizard.py" line="232"/>
        <source>&amp;Manager (SEPM) host:</source>
        <translation>管理サーバー(SEPM)(&amp;M):</translation>
    </message>
    <message>
        <location filename="../../gui/wizard.py" line="233"/>
        <source>SEP &amp;version:</source>
        <translation>SEP バージョン(&amp;V):</translation>
    </message>
    <message>
        <location filename="../../gui/wizard.py" line="234"/>
        <source>&amp;Group Update Provider (optional):</source>
        <translation>グループ更新プロバイダ(省略可)(&amp;G):</translation>
    </message>
    <message>
        <location filename="../../gui/wizard.py" line="235"/>
        <source>Remote &amp;SQL Server (optional):</source>
        <translation>リモート SQL Server(省略可)(&amp;S):</translation>
    </message>
    <message>
        <location filename="../../gui/wizard.py" line="236"/>
        <source>S&amp;yslog server (optional):</source>
        <translation>Syslog サーバー(省略可)(&amp;Y):</translation>
    </message>
    <message>
        <location filename="../../gui/wizard.py" line="237"/>
        <source>Ports the site &amp;changed (optional):</source>
        <translation>変更されたポート(省略可)(&amp;C):</translation>
    </message>
    <message>
        <location filename="../../gui/wizard.py" line="238"/>
        <source>&amp;Note or ticket number:</source>
        <translation>メモ・チケット番号(&amp;N):</translation>
    </message>
    <message>
        <location filename="../../gui/wizard.py" line="242"/>
        <source>host name or IP address, e.g. sepm01.corp.example</source>
        <translation>ホスト名または IP アドレス(例: sepm01.corp.example)</translation>
    </message>
    <message>
        <location filename="../../gui/wizard.py" line="243"/>
        <source>e.g. 14.3 RU1 or 14.3.3580.1100</source>
        <translation>例: 14.3 RU1 または 14.3.3580.1100</translation>
    </message>
    <message>
        <location filename="../../gui/wizard.py" line="244"/>
        <source>DEFAULT=ACTUAL, e.g. 8014=80, 443=4443</source>
        <translation>既定=実際(例: 8014=80, 443=4443)</translation>
    </message>
    <message>
        <location filename="../../gui/wizard.py" line="245"/>
        <source>shown in the report</source>
        <translation>レポートに記載されます</translation>
    </message>
    <message>
        <location filename="../../gui/wizard.py" line="246"/>
        <source>This PC is a Group &amp;Update Provider (check that it listens on TCP 2967)</source>
        <translation>この PC はグループ更新プロバイダ(TCP 2967 で待ち受けているか確認)(&amp;U)</translation>
    </message>
    <message>
        <location filename="../../gui/wizard.py" line="247"/>
        <source>Read from manager</source>
        <translation>管理サーバーから読み取る</translation>
    </message>
    <message>
        <location filename="../../gui/wizard.py" line="248"/>
        <source>Ask the manager&apos;s web service (TCP 8446) for its version</source>
        <translation>管理サーバーの Web サービス(TCP 8446)にバージョンを問い合わせます</translation>
    </message>
    <message>
        <location filename="../../gui/wizard.py" line="340"/>
        <source>manager</source>
        <translation>管理サーバー</translation>
    </message>
    <message>
        <location filename="../../gui/wizard.py" line="343"/>
        <source>version</source>
        <translation>バージョン</translation>
    </message>
    <message>
        <location filename="../../gui/wizard.py" line="347"/>
        <source>ports</source>
        <translation>ポート</translation>
    </message>
    <message>
        <location filename="../../gui/wizard.py" line="350"/>
        <source>Filled in from this PC&apos;s SEP client settings: %1</source>
        <translation>この PC の SEP クライアントの設定から入力しました: %1</translation>
    </message>
    <message>
        <location filename="../../gui/wizard.py" line="365"/>
        <source>Asking %1 on TCP %2…</source>
        <translation>%1 の TCP %2 に問い合わせています…</translation>
    </message>
    <message>
        <location filename="../../gui/wizard.py" line="375"/>
        <source>The manager reports %1.</source>
        <translation>管理サーバーのバージョンは %1 です。</translation>
    </message>
    <message>
        <location filename="../../gui/wizard.py" line="377"/>
        <source>No version from the manager: %1</source>
        <translation>管理サーバーからバージョンを取得できませんでした: %1</translation>
    </message>
</context>
<context>
    <name>WherePage</name>
    <message>
        <location filename="../../gui/wizard.py" line="150"/>
        <source>Where are you?</source>
        <translation>どこで実行していますか?</translation>
    </message>
    <message>
        <location filename="../../gui/wizard.py" line="151"/>
        <source>The checks depend on where this program runs.</source>
        <translation>確認内容は、このプログラムを実行する場所によって変わります。</translation>
    </message>
    <message>
        <location filename="../../gui/wizard.py" line="152"/>
        <source>Choose where you are sitting. Most checks are made from a client PC.</source>
        <translation>作業している場所を選んでください。通常はクライアントの PC から確認します。</translation>
    </message>
    <message>
        <location filename="../../gui/wizard.py" line="153"/>
        <source>At a &amp;client PC whose SEP client cannot reach its manager</source>
        <translation>管理サーバーに接続できない SEP クライアントの PC(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../gui/wizard.py" line="154"/>
        <source>At an &amp;admin PC whose console cannot reach the manager</source>
        <translation>管理コンソールが管理サーバーに接続できない管理用 PC(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../gui/wizard.py" line="155"/>
        <source>On the &amp;manager (SEPM) itself</source>
        <translation>管理サーバー(SEPM)上(&amp;M)</translation>
    </message>
    <message>
        <location filename="../../gui/wizard.py" line="156"/>
        <source>&amp;Language:</source>
        <translation>言語(&amp;L):</translation>
    </message>
    <message>
        <location filename="../../gui/wizard.py" line="157"/>
        <source>Follow the system</source>
        <translation>システムに合わせる</translation>
    </message>
</context>
<context>
    <name>app</name>
    <message>
        <location filename="../../gui/app.py" line="90"/>
        <source>Something went wrong.</source>
        <translation>予期しないエラーが発生しました。</translation>
    </message>
</context>
</TS>
