<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ja_JP">
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../gui/main_window.py" line="99"/>
        <source>SEP Port Doctor</source>
        <translation>SEP Port Doctor</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="100"/>
        <source>Port &amp;reference</source>
        <translation>ポートリファレンス(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="102"/>
        <source>&amp;Diagnostics</source>
        <translation>診断(&amp;D)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="103"/>
        <source>&amp;File</source>
        <translation>ファイル(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="104"/>
        <source>&amp;Quit</source>
        <translation>終了(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="105"/>
        <source>&amp;View</source>
        <translation>表示(&amp;V)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="106"/>
        <source>&amp;Language</source>
        <translation>言語(&amp;L)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="107"/>
        <source>Follow the system</source>
        <translation>システムに合わせる</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="110"/>
        <source>Port reference</source>
        <translation>ポートリファレンス</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="111"/>
        <source>Diagnostics</source>
        <translation>診断</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="112"/>
        <source>&amp;Help</source>
        <translation>ヘルプ(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="113"/>
        <source>&amp;About SEP Port Doctor</source>
        <translation>SEP Port Doctor について(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="122"/>
        <source>About SEP Port Doctor</source>
        <translation>SEP Port Doctor について</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="124"/>
        <source>Troubleshoots the network ports of Symantec Endpoint Protection.
Port data: the vendor&apos;s Japanese port page.</source>
        <translation>Symantec Endpoint Protection の通信ポートのトラブルシューティングツールです。
ポートのデータ: ベンダーの日本語の通信ポートのページ。</translation>
    </message>
</context>
<context>
    <name>ReferenceView</name>
    <message>
        <location filename="../../gui/reference.py" line="256"/>
        <source>&amp;Search:</source>
        <translation>検索(&amp;S):</translation>
    </message>
    <message>
        <location filename="../../gui/reference.py" line="257"/>
        <source>port, process, purpose… (e.g. 445 windows, プッシュ)</source>
        <translation>ポート、プロセス、用途…(例: 445 windows、プッシュ)</translation>
    </message>
    <message>
        <location filename="../../gui/reference.py" line="258"/>
        <source>Every word must match, in any order, in Japanese or English</source>
        <translation>すべての語が一致する行を表示します(順不同、日本語・英語どちらでも)</translation>
    </message>
    <message>
        <location filename="../../gui/reference.py" line="259"/>
        <source>SEP &amp;version:</source>
        <translation>SEP バージョン(&amp;V):</translation>
    </message>
    <message>
        <location filename="../../gui/reference.py" line="260"/>
        <source>all versions</source>
        <translation>すべてのバージョン</translation>
    </message>
    <message>
        <location filename="../../gui/reference.py" line="261"/>
        <source>&amp;Protocol:</source>
        <translation>プロトコル(&amp;P):</translation>
    </message>
    <message>
        <location filename="../../gui/reference.py" line="262"/>
        <source>&amp;Direction:</source>
        <translation>方向(&amp;D):</translation>
    </message>
    <message>
        <location filename="../../gui/reference.py" line="263"/>
        <source>&amp;Hide ports that do not apply</source>
        <translation>対象外のポートを隠す(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../gui/reference.py" line="264"/>
        <source>&amp;Copy selected rows</source>
        <translation>選択した行をコピー(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../gui/reference.py" line="265"/>
        <source>Copy</source>
        <translation>コピー</translation>
    </message>
    <message>
        <location filename="../../gui/reference.py" line="266"/>
        <location filename="../../gui/reference.py" line="269"/>
        <source>All</source>
        <translation>すべて</translation>
    </message>
    <message numerus="yes">
        <location filename="../../gui/reference.py" line="336"/>
        <source>%n of %1 ports shown</source>
        <translation>
            <numerusform>%1 件中 %n 件を表示</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../gui/reference.py" line="362"/>
        <source>No port selected.</source>
        <translation>ポートが選択されていません。</translation>
    </message>
</context>
<context>
    <name>app</name>
    <message>
        <location filename="../../gui/app.py" line="66"/>
        <source>Something went wrong.</source>
        <translation>予期しないエラーが発生しました。</translation>
    </message>
</context>
</TS>
